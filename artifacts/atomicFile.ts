// Files the album assembly writes appear whole or not at all: content goes to a temporary name in the
// target folder (same file system, so the rename is atomic) and is renamed into place only when
// complete. A crash leaves at worst a hidden `.part` file, never a truncated album file.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { makeFolder } from '../runtime/makeFolder';

export const OUTPUT_NOT_WRITABLE = 'OutputNotWritable';

/** Error codes of a write that trying again will not fix: the folder or the disk refuses it. */
const UNWRITABLE_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'ENOSPC', 'EDQUOT', 'ENOENT', 'EEXIST', 'ENAMETOOLONG', 'ELOOP']);
/** System calls that touch files (a DNS lookup or a child process can fail with ENOENT too, for other reasons). */
const FILE_SYSCALLS = new Set(['open', 'mkdir', 'write', 'rename', 'unlink', 'rmdir', 'stat', 'lstat', 'copyfile', 'fsync', 'close', 'ftruncate', 'link', 'symlink', 'utime', 'chmod']);

/**
 * A file system's refusal to write, as a non-retryable activity failure carrying the system's own
 * message (`EROFS: read-only file system, open '/x'`); anything else is returned as it is. Retrying
 * a write into a read-only or full disk only burns the retry budget, and a run that waits on it
 * looks hung (a heartbeat timeout, minutes later) when the answer was known at once.
 */
export function asWriteFailure(error: unknown): unknown {
  const err = error as NodeJS.ErrnoException;
  if (!(err instanceof Error) || !err.code || !UNWRITABLE_CODES.has(err.code) || !err.syscall || !FILE_SYSCALLS.has(err.syscall)) return error;
  return ApplicationFailure.create({ type: OUTPUT_NOT_WRITABLE, message: `cannot write the output: ${err.message}`, nonRetryable: true, cause: err });
}

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
  await makeFolder(path.dirname(target)).catch((err: unknown) => {
    throw asWriteFailure(err);
  });
  const temp = tempPathBeside(target);
  try {
    const result = await produce(temp);
    await rename(temp, target);
    return result;
  } catch (err) {
    throw asWriteFailure(err);
  } finally {
    await rm(temp, { force: true }).catch(() => {}); // nothing to clear up where nothing could be written
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
