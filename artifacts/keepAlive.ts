// Heartbeats while an activity runs. Mastering or tagging a long song can take minutes, and a
// provider may take its full request timeout to answer, so their start-to-close timeout has to be
// long; without heartbeats, an attempt lost with its worker (a crash, a SIGKILL, a redeploy) would
// only be noticed when that timeout ran out. A heartbeat every few seconds lets the heartbeat
// timeout notice a dead worker within seconds instead.
import { Context, heartbeat } from '@temporalio/activity';
import { BEAT_EVERY_MS } from '../contracts/heartbeats';

/** The same function, heartbeating every few seconds while it runs in an activity (and plain outside one). */
export function keepAlive<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args: A) => heartbeatWhile(fn(...args));
}

/**
 * Heartbeats until `work` settles, repeating `details()` each time: an activity that keeps a journal
 * in its heartbeat details (the submit's "sending") must not have it overwritten by a bare beat.
 */
export async function heartbeatWhile<R>(work: Promise<R>, details?: () => unknown): Promise<R> {
  if (!inActivity()) return work;
  const timer = setInterval(() => heartbeat(details?.()), BEAT_EVERY_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

function inActivity(): boolean {
  try {
    Context.current();
    return true;
  } catch {
    return false;
  }
}
