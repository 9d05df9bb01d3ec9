// An output folder is checked before anything is paid for: the nearest part of it that exists must be
// a writable folder. Nothing is created here (a refused command leaves nothing behind).
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

/** What is wrong with `dir` as an output folder, named after the flag or variable that gave it; undefined when it can be used. */
export async function outputFolderProblem(dir: string, source: string): Promise<string | undefined> {
  let current = dir;
  for (;;) {
    try {
      const info = await stat(current);
      if (!info.isDirectory()) return `${source}: ${current} is not a folder`;
      const writable = await access(current, constants.W_OK).then(
        () => true,
        () => false,
      );
      return writable ? undefined : `${source}: ${current} is not writable`;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') return `${source}: a part of ${dir} is a file, not a folder`;
      if (code !== 'ENOENT') throw err;
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
