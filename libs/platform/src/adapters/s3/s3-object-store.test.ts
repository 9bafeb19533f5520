import { after } from 'node:test';
import { objectStoreContract } from '../../testing/object-store-contract.js';
import { startS3TestBed } from '../../testing/s3-fixture.js';

// Against s3rver on loopback, or the S3 service that COIN_S3_ENDPOINT names.
const bed = await startS3TestBed(process.env);
after(() => bed.stop());

objectStoreContract('S3ObjectStore', () => bed.makeStore());
