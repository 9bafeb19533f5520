/**
 * Why the image file at `path` cannot be used, or undefined when it decodes whole. The pixels are
 * decoded to the last row (a header read alone passes a truncated JPEG), and thrown away.
 * `failOn: 'error'` is the strictness of decodeImage, which training later uses on the same file.
 */
export async function imageFileProblem(path: string): Promise<string | undefined> {
  // sharp loads on first use: importing @coin/data (every coin call does) must not load it.
  const { default: sharp } = await import('sharp');
  try {
    await sharp(path, { failOn: 'error' }).raw().toBuffer();
    return undefined;
  } catch (e) {
    // libvips repeats its complaint over several lines; the first says what is wrong.
    return (e as Error).message.trim().split('\n')[0] || 'cannot be decoded';
  }
}
