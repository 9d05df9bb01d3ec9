// Reads what an earlier run of the same request left in the track folder, keeping only steps whose
// files are all still there with the recorded sha256. A step that passes is not paid for again.
// The folder may be a prefix in a bucket: everything is read through the artifact store.
import path from 'node:path';
import { allIntact, intactFiles } from '../artifacts/intactFiles';
import { ArtifactMissingError, type ArtifactStore } from '../artifacts/store/artifactStore';
import type { PipelineStep, PreviousTrack, TrackManifest } from '../contracts/trackManifest';

export function createPreviousTrackActivities(store: ArtifactStore) {
  return {
    async loadPreviousTrack(input: { dir: string }): Promise<PreviousTrack | undefined> {
      let manifest: TrackManifest;
      try {
        manifest = JSON.parse((await store.readBytes(path.join(input.dir, 'track.json'))).toString('utf8')) as TrackManifest;
      } catch (err) {
        // No earlier run, or a record we cannot read: start afresh. A store that does not answer is
        // different: the activity fails and retries rather than paying again for files that exist.
        if (err instanceof ArtifactMissingError || err instanceof SyntaxError) return undefined;
        throw err;
      }
      if (manifest.version !== 1 || typeof manifest.steps !== 'object' || !Array.isArray(manifest.files)) return undefined;

      const verified = await intactFiles(store, input.dir, manifest.files);
      const reusable: PreviousTrack['reusable'] = {};
      for (const [step, record] of Object.entries(manifest.steps) as [PipelineStep, TrackManifest['steps'][PipelineStep]][]) {
        if (record?.state !== 'succeeded') continue;
        const files = allIntact(record.files, verified);
        if (files) reusable[step] = files;
      }
      const lyricsFile = verified.get('lyrics.txt');
      const lyricsText = lyricsFile ? (await store.readBytes(lyricsFile.path, lyricsFile.sha256)).toString('utf8') : undefined;
      return { manifest, reusable, lyricsText };
    },
  };
}

export type PreviousTrackActivities = ReturnType<typeof createPreviousTrackActivities>;
