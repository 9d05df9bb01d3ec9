// Every activity the worker hosts, built from the worker's dependencies (provider endpoints and
// keys, callback settings), which never travel through workflow history.
import { createAlbumAssemblyActivities } from '../album/assembly/albumAssembly';
import { createArtifactActivities, type ArtifactDeps } from '../artifacts/artifactActivities';
import { createPreviousTrackActivities } from '../song/previousTrack';
import { createProviderSlotActivities, type SlotDeps } from '../slots/slotActivities';
import { createProviderTaskActivities, type ProviderTaskDeps } from '../steps/providerTasks';

export type ActivityDeps = ProviderTaskDeps & ArtifactDeps & { slots?: SlotDeps };

export function createActivities(deps: ActivityDeps) {
  return {
    ...createProviderTaskActivities(deps),
    ...createArtifactActivities(deps),
    ...createPreviousTrackActivities(),
    ...createProviderSlotActivities(deps.slots),
    ...createAlbumAssemblyActivities(),
  };
}

export type MusicActivities = ReturnType<typeof createActivities>;
