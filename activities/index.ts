// Every activity the worker hosts, built from the worker's dependencies (provider endpoints and
// keys, callback settings), which never travel through workflow history.
import { createArtifactActivities, type ArtifactDeps } from './artifacts';
import { createPreviousTrackActivities } from './previousTrack';
import { createProviderTaskActivities, type ProviderTaskDeps } from './providerTasks';

export type ActivityDeps = ProviderTaskDeps & ArtifactDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...createProviderTaskActivities(deps),
    ...createArtifactActivities(deps),
    ...createPreviousTrackActivities(),
  };
}

export type MusicActivities = ReturnType<typeof createActivities>;
