// Reads what an earlier run of the same request left in the track folder, keeping only steps whose
// files are all still there with the recorded sha256. A step that passes is not paid for again.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PipelineStep, PreviousTrack, TrackManifest } from '../contracts/trackManifest';
import type { ArtifactRecord } from '../contracts/artifacts';

async function sha256Of(file: string): Promise<string | undefined> {
  try {
    return createHash('sha256').update(await readFile(file)).digest('hex');
  } catch {
    return undefined;
  }
}

export function createPreviousTrackActivities() {
  return {
    async loadPreviousTrack(input: { dir: string }): Promise<PreviousTrack | undefined> {
      let manifest: TrackManifest;
      try {
        manifest = JSON.parse(await readFile(path.join(input.dir, 'track.json'), 'utf8')) as TrackManifest;
      } catch {
        return undefined;
      }
      if (manifest.version !== 1 || typeof manifest.steps !== 'object' || !Array.isArray(manifest.files)) return undefined;

      const verified = new Map<string, ArtifactRecord>();
      for (const f of manifest.files) {
        const absolute = path.join(input.dir, f.file);
        if ((await sha256Of(absolute)) === f.sha256) {
          const { file: _file, ...rest } = f;
          verified.set(f.file, { ...rest, path: absolute });
        }
      }
      const reusable: PreviousTrack['reusable'] = {};
      for (const [step, record] of Object.entries(manifest.steps) as [PipelineStep, TrackManifest['steps'][PipelineStep]][]) {
        if (record?.state !== 'succeeded') continue;
        const files = record.files.map((f) => verified.get(f));
        if (files.every((f): f is ArtifactRecord => f !== undefined)) reusable[step] = files;
      }
      const lyricsFile = verified.get('lyrics.txt');
      const lyricsText = lyricsFile ? await readFile(lyricsFile.path, 'utf8') : undefined;
      return { manifest, reusable, lyricsText };
    },
  };
}

export type PreviousTrackActivities = ReturnType<typeof createPreviousTrackActivities>;
