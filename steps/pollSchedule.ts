// When to ask a provider again about a task that is not finished. The poll loop is an activity whose
// retries are the loop (Temporal's polling pattern: retries add no history events), and this function
// is the delay between attempts. Delays follow the step's expected duration, grow geometrically, and
// carry jitter so many runs started together do not poll in lock-step. With callbacks configured the
// poll is only a safety net for lost webhooks, so it is sparse.
import type { StepKind } from '../providers/model';

export interface PollTiming {
  firstMs: number;
  maxMs: number;
}

/** Expected durations: lyrics take seconds, audio renders take one to three minutes. */
const POLLING_ONLY: Partial<Record<StepKind, PollTiming>> = {
  lyrics: { firstMs: 2_000, maxMs: 10_000 },
  song: { firstMs: 5_000, maxMs: 30_000 },
};
const DEFAULT_TIMING: PollTiming = { firstMs: 5_000, maxMs: 30_000 };

/** With webhooks the fallback poll waits longer and backs off to a slow cadence. */
const CALLBACK_FALLBACK_FACTOR = 6;
const CALLBACK_FALLBACK_MAX_MS = 120_000;

export const GROWTH = 1.5;
export const JITTER = 0.2;

export function pollTiming(kind: StepKind, callbacks: boolean): PollTiming {
  const base = POLLING_ONLY[kind] ?? DEFAULT_TIMING;
  if (!callbacks) return base;
  return { firstMs: base.firstMs * CALLBACK_FALLBACK_FACTOR, maxMs: Math.max(base.maxMs * CALLBACK_FALLBACK_FACTOR, CALLBACK_FALLBACK_MAX_MS) };
}

/**
 * Delay before poll number `attempt + 1`, where `attempt` (1-based) is the poll that just saw the
 * task unfinished. `random` is injectable so tests can pin the jitter.
 */
export function nextPollDelayMs(kind: StepKind, attempt: number, callbacks: boolean, random: () => number = Math.random): number {
  const { firstMs, maxMs } = pollTiming(kind, callbacks);
  const nominal = Math.min(maxMs, firstMs * GROWTH ** Math.max(0, attempt - 1));
  const jitter = 1 + JITTER * (2 * random() - 1);
  return Math.round(nominal * jitter);
}
