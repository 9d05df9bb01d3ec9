// Every activity the worker hosts, built from the worker's dependencies (provider endpoints and
// keys, callback settings), which never travel through workflow history.
import { createAlbumAssemblyActivities } from '../album/assembly/albumAssembly';
import { createDeliveryActivities } from '../album/delivery/deliveryActivities';
import { createAnalysisActivities } from '../album/analysis/analysisActivities';
import { createAlbumReportActivities } from '../album/report/albumReport';
import { createArtifactActivities, type ArtifactDeps } from '../artifacts/artifactActivities';
import type { ArtifactStore } from '../artifacts/store/artifactStore';
import { LocalArtifactStore } from '../artifacts/store/localStore';
import { createPipelineActivities } from '../pipeline/pipelineActivities';
import { uploadsDir } from '../runtime/projectPaths';
import { createPreviousTrackActivities } from '../song/previousTrack';
import { createSongTagActivities } from '../artifacts/songTags';
import { createProviderSlotActivities, type SlotDeps } from '../slots/slotActivities';
import { createProviderTaskActivities, type ProviderTaskDeps } from '../steps/providerTasks';

/**
 * `uploadsDir`: where the user's audio is published for providers (the callback endpoint serves it); default .data/uploads.
 * `store`: where finished files live (ARTIFACT_STORE); default the local output folder.
 */
export type ActivityDeps = ProviderTaskDeps & Omit<ArtifactDeps, 'store'> & { slots?: SlotDeps; uploadsDir?: string; store?: ArtifactStore };

export function createActivities(deps: ActivityDeps) {
  const store = deps.store ?? new LocalArtifactStore();
  return {
    ...createProviderTaskActivities(deps),
    ...createArtifactActivities({ ...deps, store }),
    ...createPreviousTrackActivities(store),
    ...createSongTagActivities(store),
    ...createProviderSlotActivities(deps.slots),
    ...createAlbumAssemblyActivities(store),
    ...createDeliveryActivities(store),
    ...createAnalysisActivities(store),
    ...createAlbumReportActivities(store),
    ...createPipelineActivities({ callbacks: deps.callbacks, uploadsDir: deps.uploadsDir ?? uploadsDir(), store }),
  };
}

export type MusicActivities = ReturnType<typeof createActivities>;
