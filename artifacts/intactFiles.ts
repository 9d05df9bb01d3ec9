// Which files an earlier run listed are still there with the sha256 it recorded: the test a rerun
// applies before it reuses a step instead of paying for it again.
import path from 'node:path';
import type { ArtifactRecord } from '../contracts/artifacts';
import type { ManifestFile } from '../contracts/trackManifest';
import { ArtifactCorruptError, ArtifactMissingError, type ArtifactStore } from './store/artifactStore';
import { stripId3 } from './id3Tags';
import { createHash } from 'node:crypto';

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
    const { file: _file, ...rest } = f;
    if (actual?.sha256 === f.sha256) {
      verified.set(f.file, { ...rest, path: absolute });
    } else if (actual && f.audioSha256 && (await sameAudio(store, absolute, f.audioSha256))) {
      // Only its ID3 tags changed (tagged after this record was written, or by a player): the
      // audio that was paid for is intact. The record takes the file's sha256 as it is now.
      verified.set(f.file, { ...rest, ...actual, path: absolute });
    }
  }
  return verified;
}

/** A step's files, when every one of them verified; otherwise undefined (the step must run again). */
export function allIntact(names: readonly string[], verified: ReadonlyMap<string, ArtifactRecord>): ArtifactRecord[] | undefined {
  const files = names.map((name) => verified.get(name));
  return files.every((f): f is ArtifactRecord => f !== undefined) ? files : undefined;
}

/** Whether the MP3 at `target`, without its ID3 tags, is the recorded audio. */
async function sameAudio(store: ArtifactStore, target: string, audioSha256: string): Promise<boolean> {
  let content: Buffer;
  try {
    content = await store.readBytes(target);
  } catch (err) {
    // Gone or changed since it was hashed a moment ago: not intact. A store that does not answer still throws.
    if (err instanceof ArtifactMissingError || err instanceof ArtifactCorruptError) return false;
    throw err;
  }
  return createHash('sha256').update(stripId3(content)).digest('hex') === audioSha256;
}
