// Every activity the worker hosts, built from the worker's dependencies (provider endpoints and
// keys, callback settings), which never travel through workflow history.
import { createAlbumAssemblyActivities } from '../album/assembly/albumAssembly';
import { createArtifactActivities, type ArtifactDeps } from '../artifacts/artifactActivities';
import { createPipelineActivities } from '../pipeline/pipelineActivities';
import { uploadsDir } from '../runtime/projectPaths';
import { createPreviousTrackActivities } from '../song/previousTrack';
import { createProviderSlotActivities, type SlotDeps } from '../slots/slotActivities';
import { createProviderTaskActivities, type ProviderTaskDeps } from '../steps/providerTasks';

/** `uploadsDir`: where the user's audio is published for providers (the callback endpoint serves it); default .data/uploads. */
export type ActivityDeps = ProviderTaskDeps & ArtifactDeps & { slots?: SlotDeps; uploadsDir?: string };

export function createActivities(deps: ActivityDeps) {
  return {
    ...createProviderTaskActivities(deps),
    ...createArtifactActivities(deps),
    ...createPreviousTrackActivities(),
    ...createProviderSlotActivities(deps.slots),
    ...createAlbumAssemblyActivities(),
    ...createPipelineActivities({ callbacks: deps.callbacks, uploadsDir: deps.uploadsDir ?? uploadsDir() }),
  };
}

export type MusicActivities = ReturnType<typeof createActivities>;
