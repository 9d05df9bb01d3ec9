// How often a long activity beats and how long the server waits for a beat before it declares the
// attempt lost with its worker (a SIGKILL, a crash, a redeploy) and tries it again elsewhere. Both
// sides read them from here so that the beat stays well inside the timeout.
//
// Every second of the timeout is a second a killed worker's work stands still: at ten kills in a
// chaos run, 15 s left songs waiting on lost attempts for about a third of the run, and 8 s still
// cost a song 10 s or more per kill. Five beats per timeout still let a beat be four seconds late (a
// busy event loop) before the attempt is given up; the worker sends them at most once a second
// (maxHeartbeatThrottleInterval), so beating more often would not send more.

/** The heartbeat timeout, in ms, of every activity that beats while it waits (provider calls, downloads, tagging). */
export const LOST_WITH_ITS_WORKER_AFTER = 5_000;

/** How often those activities beat. */
export const BEAT_EVERY_MS = 1_000;

/**
 * Retries of an album's own long activities (assembly, mastering, delivery, report, analysis), which
 * beat while they work. An attempt lost with its worker counts as an attempt: at three, a burst of
 * kills and a dev-server restart while sixteen albums mastered at once (`npm run chaos:scale`) used up
 * all three of four albums' normalizeLoudness within 30 s, and those albums failed after every song
 * was paid for. Ten, backing off to a minute, outlast such a burst (about five minutes of retries);
 * input the activity cannot use still fails at once, by its non-retryable type.
 */
export const ALBUM_ACTIVITY_RETRY = { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 } as const;
