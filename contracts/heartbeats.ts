// How often a long activity beats and how long the server waits for a beat before it declares the
// attempt lost with its worker (a SIGKILL, a crash, a redeploy) and tries it again elsewhere. Both
// sides read them from here so that the beat stays well inside the timeout.
//
// Every second of the timeout is a second a killed worker's work stands still: at ten kills in a
// chaos run, 15 s left songs waiting on lost attempts for about a third of the run. Four beats per
// timeout still let a beat be late by a few seconds (a busy event loop) before the attempt is
// given up.

/** The heartbeat timeout of every activity that beats while it waits (provider calls, downloads, tagging). */
export const LOST_WITH_ITS_WORKER_AFTER = '8 seconds';

/** How often those activities beat. */
export const BEAT_EVERY_MS = 2_000;
