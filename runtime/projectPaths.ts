// Folders the project keeps beside its sources (all git-ignored).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding our package.json, so `.data/` and `.temporal/` land in the project whatever the caller's cwd. */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/**
 * Dev server database, generated callback secret, simulator state. MUSIC_DATA_DIR moves it (tests
 * that run the real scripts give each case a database of its own).
 */
export const dataDir = (): string => (process.env.MUSIC_DATA_DIR ? path.resolve(process.env.MUSIC_DATA_DIR) : path.join(projectRoot(), '.data'));

/** The user's audio, published for providers to fetch (served by the callback endpoint under signed tokens). */
export const uploadsDir = (): string => path.join(dataDir(), 'uploads');
