// Workflow side of the artifact activities (artifactActivities.ts): each activity proxied once, with
// its timeouts and retries.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { LOST_WITH_ITS_WORKER_AFTER } from '../contracts/heartbeats';
import type { ArtifactActivities } from './artifactActivities';
import type { SongTagActivities } from './songTags';
import { SONG_TAG_FAILURE } from '../contracts/artifacts';

/**
 * Downloads heartbeat as bytes arrive and every few seconds besides (waiting for the host, probing,
 * storing): a killed worker's download is retried after the heartbeat timeout, not the 5-minute
 * start-to-close. Five attempts: provider URLs expire, so a file not
 * fetched now may be lost with the credits its step cost; a download costs no credits, and the fifth
 * attempt adds at most 16 s of backoff. (The song's own files had five attempts and the later steps'
 * files four, under two proxies of the same activity; every file now gets the more patient five.)
 */
export const { storeDownload } = proxyActivities<ArtifactActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: LOST_WITH_ITS_WORKER_AFTER,
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  summary: 'store a downloaded file',
});

/** Small local writes (lyrics.txt, track.json, lyrics.lrc): a minute is plenty. */
export const { writeTextArtifact, writeTimedLyrics } = proxyActivities<ArtifactActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  summary: 'write a text file',
});

/** The same small writes as local activities: one marker each in history, no task round trip. */
export const { writeTextArtifact: writeTextArtifactLocally } = proxyLocalActivities<ArtifactActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
  summary: 'write a text file',
});

/**
 * Tagging a single's song.mp3 reads and rewrites the whole file and probes it twice; it heartbeats
 * while it works (keepAlive.ts), so a lost worker is noticed within seconds. Bad input is not retried.
 */
export const { tagSong } = proxyActivities<SongTagActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: LOST_WITH_ITS_WORKER_AFTER,
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3, nonRetryableErrorTypes: [SONG_TAG_FAILURE] },
  summary: 'tag song.mp3',
});
