// X-ray images as files named by content hash (images/ab/abcdef….png): the same image stored twice
// takes the space once, and the name proves the content. Written to a temp file and renamed, so a
// crash never leaves a half-written image under its final name.
import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function imageRelPath(sha256: string, format: string): string {
  return join(sha256.slice(0, 2), `${sha256}.${format === 'jpeg' ? 'jpg' : format}`);
}

export async function storeImage(imagesDir: string, bytes: Uint8Array, format: string, sha256 = sha256Hex(bytes)): Promise<{ sha256: string; relPath: string; existed: boolean }> {
  const relPath = imageRelPath(sha256, format);
  const full = join(imagesDir, relPath);
  try {
    await stat(full);
    return { sha256, relPath, existed: true };
  } catch {
    /* not stored yet */
  }
  // Customs evidence: owner-only folders and files whatever the umask (docs/security.md).
  await mkdir(join(imagesDir, sha256.slice(0, 2)), { recursive: true, mode: 0o700 });
  const tmp = `${full}.${process.pid}.tmp`;
  await writeFile(tmp, bytes, { mode: 0o600 });
  await rename(tmp, full);
  return { sha256, relPath, existed: false };
}
