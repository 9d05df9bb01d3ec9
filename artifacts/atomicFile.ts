// Files the album assembly writes appear whole or not at all: content goes to a temporary name in the
// target folder (same file system, so the rename is atomic) and is renamed into place only when
// complete. A crash leaves at worst a hidden `.part` file, never a truncated album file.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface WrittenFile {
  /** Absolute path. */
  path: string;
  sha256: string;
  bytes: number;
}

/** A hidden temporary name beside `target`. */
export function tempPathBeside(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.part`);
}

/**
 * Runs `produce(temp)` to fill a temporary file beside `target`, then renames it into place; the
 * temporary file is removed whatever happens.
 */
export async function replaceAtomically<T>(target: string, produce: (temp: string) => Promise<T>): Promise<T> {
  await mkdir(path.dirname(target), { recursive: true });
  const temp = tempPathBeside(target);
  try {
    const result = await produce(temp);
    await rename(temp, target);
    return result;
  } finally {
    await rm(temp, { force: true });
  }
}

export async function writeFileAtomic(target: string, content: string | Uint8Array): Promise<WrittenFile> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  await replaceAtomically(target, (temp) => writeFile(temp, bytes));
  return { path: target, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

/** sha256 and size of a file on disk, streamed (stems and WAVs can be large). */
export async function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const { size } = await stat(file);
  return { sha256: hash.digest('hex'), bytes: size };
}
