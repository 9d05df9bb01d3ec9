// Every activity the worker hosts, built from the worker's dependencies (provider endpoints and
// keys, callback settings), which never travel through workflow history.
import { createAlbumAssemblyActivities } from './albumAssembly';
import { createArtifactActivities, type ArtifactDeps } from './artifacts';
import { createPreviousTrackActivities } from './previousTrack';
import { createProviderSlotActivities, type SlotDeps } from './providerSlots';
import { createProviderTaskActivities, type ProviderTaskDeps } from './providerTasks';

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
