// An output folder is checked before anything is paid for, by doing what the run will do: create the
// folders that are missing and write a file in the last one. Permission bits say little (root passes
// every access() check, and /proc, a read-only mount or a full disk still refuse), so only a write is
// proof. The probe file and every folder the probe created are removed again: a refused command
// leaves nothing behind, and an accepted one leaves the folder as it found it.
import { randomBytes } from 'node:crypto';
import { rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeFolder } from '../runtime/makeFolder';
import type { Config } from '../runtime/config';

/** What is wrong with `dir` as an output folder, named after the flag or variable that gave it; undefined when it can be used. */
export async function outputFolderProblem(dir: string, source: string, config?: Pick<Config, 'artifactStore' | 'outDir'>): Promise<string | undefined> {
  if (config?.artifactStore.kind === 's3') {
    // Files go to the bucket, under keys taken from their path below OUT_DIR: nothing is written
    // here (each worker checks the bucket itself when it starts), but a path outside OUT_DIR has no key.
    const root = path.resolve(config.outDir);
    const relative = path.relative(root, path.resolve(dir));
    if (relative.startsWith('..') || path.isAbsolute(relative)) return `${source}: ${dir} is outside OUT_DIR (${root}), which is the root of the keys in s3://${config.artifactStore.bucket}`;
    return undefined;
  }
  let created: string[] = [];
  try {
    created = await makeFolder(dir);
  } catch (err) {
    return `${source}: cannot create ${dir}: ${describe(err)}`;
  }
  const probe = path.join(dir, `.write-check-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, 'checking that the output folder takes files\n', { flag: 'wx' });
    return undefined;
  } catch (err) {
    return `${source}: cannot write in ${dir}: ${describe(err)}`;
  } finally {
    await rm(probe, { force: true }).catch(() => {});
    for (const folder of created.reverse()) await rmdir(folder).catch(() => {});
  }
}

/** The file system's own words (`EROFS: read-only file system, open '...'`), which name the cause. */
function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOTDIR' || e.code === 'EEXIST') return `a part of it is a file, not a folder (${e.message})`;
  return e.message;
}
