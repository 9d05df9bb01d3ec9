// Reads what an earlier run of the same request left in the track folder, keeping only steps whose
// files are all still there with the recorded sha256. A step that passes is not paid for again.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { allIntact, intactFiles } from '../artifacts/intactFiles';
import type { PipelineStep, PreviousTrack, TrackManifest } from '../contracts/trackManifest';

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

      const verified = await intactFiles(input.dir, manifest.files);
      const reusable: PreviousTrack['reusable'] = {};
      for (const [step, record] of Object.entries(manifest.steps) as [PipelineStep, TrackManifest['steps'][PipelineStep]][]) {
        if (record?.state !== 'succeeded') continue;
        const files = allIntact(record.files, verified);
        if (files) reusable[step] = files;
      }
      const lyricsFile = verified.get('lyrics.txt');
      const lyricsText = lyricsFile ? await readFile(lyricsFile.path, 'utf8') : undefined;
      return { manifest, reusable, lyricsText };
    },
  };
}

export type PreviousTrackActivities = ReturnType<typeof createPreviousTrackActivities>;
