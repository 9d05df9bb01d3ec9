// The activity that measures a track's tempo and key. It reads the track's audio through the
// artifact store (a scratch copy when the album is in a bucket) and writes nothing: the figures go
// back to the album workflow, which puts them in the tags and album.json.
import { ApplicationFailure } from '@temporalio/common';
import { ArtifactCorruptError, ArtifactMissingError, type ArtifactStore } from '../../artifacts/store/artifactStore';
import { keepAlive } from '../../artifacts/keepAlive';
import type { AnalyzeTrackInput, TrackAnalysis } from '../../contracts/albumFiles';
import { AnalysisToolMissingError } from './analysisEnv';
import { analyzeAudioFile, AudioAnalysisInputError } from './audioAnalysis';

/** Failure type of an analysis that would fail the same way again (no librosa here, silent audio): never retried. */
export const AUDIO_ANALYSIS_FAILURE = 'AudioAnalysisFailed';

export function createAnalysisActivities(store: ArtifactStore) {
  async function analyzeTrack(input: AnalyzeTrackInput): Promise<TrackAnalysis> {
    try {
      const { bpm, key } = await store.withLocalCopy(input.audioPath, (file) => analyzeAudioFile(file));
      return { bpm, key };
    } catch (err) {
      if (err instanceof ArtifactMissingError || err instanceof ArtifactCorruptError || err instanceof AudioAnalysisInputError || err instanceof AnalysisToolMissingError) {
        throw ApplicationFailure.nonRetryable((err as Error).message, AUDIO_ANALYSIS_FAILURE);
      }
      throw err;
    }
  }
  return { analyzeTrack: keepAlive(analyzeTrack) };
}

export type AnalysisActivities = ReturnType<typeof createAnalysisActivities>;
