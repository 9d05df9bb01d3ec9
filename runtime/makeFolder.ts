// Creating a folder and its missing parents without Node's recursive mkdir, which spins forever at
// full CPU under /proc-like folders. Every place that makes a folder from a path a user or the
// configuration chose uses this, so a bad path fails at once with the file system's own error.
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Creates `dir` and its missing parents one level at a time, and returns the folders it created,
 * outermost first. Node's own `mkdir(dir, { recursive: true })` spins forever (at full CPU) where a
 * folder exists but refuses to hold a new one with ENOENT, as /proc does; here that is an error.
 */
export async function makeFolder(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    try {
      if ((await stat(current)).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', syscall: 'mkdir', path: current });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  const created: string[] = [];
  for (const folder of missing) {
    try {
      await mkdir(folder);
      created.push(folder);
    } catch (err) {
      // Made meanwhile by someone else (two tracks of an album writing side by side): fine.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(folder)).isDirectory()) continue;
      throw err;
    }
  }
  return created;
}
