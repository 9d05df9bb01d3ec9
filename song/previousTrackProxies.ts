// Workflow side of loadPreviousTrack (previousTrack.ts), used by the song and the album workflows:
// proxied once, with its timeout and retries.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { PreviousTrackActivities } from './previousTrack';

/** Reads and hashes a track folder's files; it does not heartbeat, so the timeout bounds it. */
export const { loadPreviousTrack } = proxyActivities<PreviousTrackActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  summary: 'read earlier track files',
});

/** The same read, as a local activity: it runs in the run's first workflow task (one marker, no round trip). */
export const { loadPreviousTrack: loadPreviousTrackLocally } = proxyLocalActivities<PreviousTrackActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  summary: 'read earlier track files',
});
