// Workflow side of the album-assembly activities (assembly/albumAssembly.ts): proxied once, with
// their timeouts and retries. Bad input (a missing file, silent audio) fails at once.
import { proxyActivities } from '@temporalio/workflow';
import { ALBUM_ACTIVITY_RETRY, LOST_WITH_ITS_WORKER_AFTER } from '../contracts/heartbeats';
import { ALBUM_ASSEMBLY_FAILURE } from '../contracts/albumFiles';
import type { AlbumAssemblyActivities } from './assembly/albumAssembly';

export const { tagTrack, normalizeLoudness, writePlaylist, writeAlbumManifest, writeAlbumCover } = proxyActivities<AlbumAssemblyActivities>({
  startToCloseTimeout: '10 minutes',
  // The activities heartbeat while they work (artifacts/keepAlive.ts): an attempt lost with its worker
  // is tried again after this, not after the ten minutes a long master may legitimately take.
  heartbeatTimeout: LOST_WITH_ITS_WORKER_AFTER,
  retry: { ...ALBUM_ACTIVITY_RETRY, nonRetryableErrorTypes: [ALBUM_ASSEMBLY_FAILURE] },
  summary: 'assemble album',
});
