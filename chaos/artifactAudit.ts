// Were any files lost or changed by the faults? Two checks, both by sha256:
// - every file a track.json lists is on disk with the recorded digest (nothing recorded was lost);
// - every file of a fault-free run (same seed, same requests) exists in the run with faults and has
//   the same bytes (nothing was skipped, truncated or made twice with other content).
// JSON manifests are left out of the comparison: they record run ids, times and URLs, which differ
// between any two runs by design.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { hashFile } from '../artifacts/atomicFile';
import type { TrackManifest } from '../contracts/trackManifest';
import { REPORT_FILE } from '../album/report/albumReport';

export interface ManifestAudit {
  /** Files listed in every track.json found. */
  listed: number;
  /** Listed but missing, or on disk with other bytes than recorded. */
  lost: string[];
}

export interface ComparisonAudit {
  /** Files of the fault-free run that were compared. */
  compared: number;
  /** In the fault-free run, absent from the run with faults. */
  missing: string[];
  /** Present in both, with other bytes. */
  different: string[];
}

async function filesUnder(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) found.push(full);
    }
  };
  await walk(root);
  return found.sort();
}

/** The file's sha256, or undefined when it cannot be read (missing counts as lost, not as a crash). */
async function sha256Of(file: string): Promise<string | undefined> {
  return hashFile(file).then(
    (hashed) => hashed.sha256,
    () => undefined,
  );
}

/** Checks each track.json under `root` against the files beside it. */
export async function auditTrackManifests(root: string): Promise<ManifestAudit> {
  const manifests = (await filesUnder(root)).filter((file) => path.basename(file) === 'track.json');
  const lost: string[] = [];
  let listed = 0;
  for (const manifestFile of manifests) {
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as TrackManifest;
    for (const entry of manifest.files) {
      listed++;
      const file = path.join(path.dirname(manifestFile), entry.file);
      if ((await sha256Of(file)) !== entry.sha256) lost.push(path.relative(root, file));
    }
  }
  return { listed, lost };
}

/**
 * Records of a run rather than its media: they name the provider's task ids and the times of this run,
 * so two runs of the same album never write them alike.
 */
function isRunRecord(file: string): boolean {
  return file.endsWith('.json') || path.basename(file) === REPORT_FILE;
}

/** Compares every media file of `expectedRoot` with the file at the same place under `actualRoot`. */
export async function compareOutputs(expectedRoot: string, actualRoot: string): Promise<ComparisonAudit> {
  const expected = (await filesUnder(expectedRoot)).filter((file) => !isRunRecord(file));
  const missing: string[] = [];
  const different: string[] = [];
  for (const file of expected) {
    const relative = path.relative(expectedRoot, file);
    const actual = await sha256Of(path.join(actualRoot, relative));
    if (actual === undefined) missing.push(relative);
    else if (actual !== (await sha256Of(file))) different.push(relative);
  }
  return { compared: expected.length, missing, different };
}
