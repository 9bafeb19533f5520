/**
 * The local S3 server of `coin stack up` as a process of its own: s3rver over `<dataDir>`, one JSON
 * line `listening` with its endpoint on stdout, stopped by SIGTERM or SIGINT (exit 0).
 * Usage: node s3-main.js DATA_DIR BUCKET
 */
import { startLocalS3 } from '@coin/platform';

const [dataDir, bucket] = process.argv.slice(2);
try {
  const s3 = await startLocalS3({ dataDir, bucket });
  process.stdout.write(`${JSON.stringify({ msg: 'listening', address: s3.endpoint, bucket: s3.bucket, dataDir })}\n`);
  const stop = () => void s3.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (e) {
  process.stderr.write(`s3: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
