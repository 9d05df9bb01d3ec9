// Which files an earlier run listed are still there with the sha256 it recorded: the test a rerun
// applies before it reuses a step instead of paying for it again.
import path from 'node:path';
import type { ArtifactRecord } from '../contracts/artifacts';
import type { ManifestFile } from '../contracts/trackManifest';
import type { ArtifactStore } from './store/artifactStore';

/**
 * The listed files that verify, by their name relative to `dir`, as records with absolute paths.
 * Each is read whole from the store and hashed (in a bucket too): a reused file is known good.
 */
export async function intactFiles(store: ArtifactStore, dir: string, files: readonly ManifestFile[]): Promise<Map<string, ArtifactRecord>> {
  const verified = new Map<string, ArtifactRecord>();
  for (const f of files) {
    const absolute = path.join(dir, f.file);
    // A store that cannot be reached throws (the activity retries): never mistaken for a lost file, which would pay again.
    const actual = await store.digestOf(absolute);
    if (actual?.sha256 === f.sha256) {
      const { file: _file, ...rest } = f;
      verified.set(f.file, { ...rest, path: absolute });
    }
  }
  return verified;
}

/** A step's files, when every one of them verified; otherwise undefined (the step must run again). */
export function allIntact(names: readonly string[], verified: ReadonlyMap<string, ArtifactRecord>): ArtifactRecord[] | undefined {
  const files = names.map((name) => verified.get(name));
  return files.every((f): f is ArtifactRecord => f !== undefined) ? files : undefined;
}
