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

/**
 * With webhooks the fallback poll waits longer and backs off to a slow cadence: its first look (30 s
 * for lyrics, 75 s for a song) comes after a typical task has finished and its webhook arrived.
 */
const CALLBACK_FIRST_FACTOR = 15;
const CALLBACK_FALLBACK_FACTOR = 6;
const CALLBACK_FALLBACK_MAX_MS = 120_000;

export const GROWTH = 1.5;
export const JITTER = 0.2;

export function pollTiming(kind: StepKind, callbacks: boolean): PollTiming {
  const base = POLLING_ONLY[kind] ?? DEFAULT_TIMING;
  if (!callbacks) return base;
  return { firstMs: base.firstMs * CALLBACK_FIRST_FACTOR, maxMs: Math.max(base.maxMs * CALLBACK_FALLBACK_FACTOR, CALLBACK_FALLBACK_MAX_MS) };
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

/** What a worker has seen of one provider and step kind: how long its tasks took, in ms. */
export interface LearnedDuration {
  lowMs: number;
  typicalMs: number;
  highMs: number;
}

/** Finished tasks remembered per provider and kind: enough for a stable spread, recent enough to follow drift. */
const WINDOW = 32;
/** Fewer sightings than this and the documented schedule applies. */
export const MIN_SAMPLES = 3;
/** Between the earliest and latest finish seen, polls are this fraction of the typical duration apart. */
export const LEARNED_STEP = 0.08;

/**
 * Learns each provider and step kind's real durations from the tasks this worker saw finish. Kept in
 * memory: a new worker starts on the documented schedule and learns again within a few tasks.
 */
export class DurationLearner {
  private readonly seen = new Map<string, number[]>();

  record(key: string, durationMs: number): void {
    if (!(durationMs > 0)) return;
    const list = this.seen.get(key) ?? [];
    list.push(durationMs);
    if (list.length > WINDOW) list.shift();
    this.seen.set(key, list);
  }

  learned(key: string): LearnedDuration | undefined {
    const list = this.seen.get(key);
    if (!list || list.length < MIN_SAMPLES) return undefined;
    const sorted = [...list].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return { lowMs: at(0.1), typicalMs: at(0.5), highMs: at(0.9) };
  }
}

/**
 * Delay before the next look at a task `elapsedMs` after its submit, from learned durations.
 * Polling only: the first look comes just before the quickest tasks finish, then looks follow each other
 * every LEARNED_STEP of the typical duration until past the slowest, then back off: the mean
 * detection lag stays near 4 % of the duration with a handful of queries. With callbacks the poll is
 * a safety net: its first look is at twice the slowest duration seen, when a webhook is overdue.
 */
export function learnedPollDelayMs(learned: LearnedDuration, elapsedMs: number, callbacks: boolean, random: () => number = Math.random): number {
  const jitter = (ms: number) => Math.round(ms * (1 + JITTER * (2 * random() - 1)));
  if (callbacks) {
    const overdueAt = 2 * learned.highMs;
    if (elapsedMs < overdueAt) return jitter(overdueAt - elapsedMs);
    return jitter(Math.min(CALLBACK_FALLBACK_MAX_MS, Math.max(learned.typicalMs, elapsedMs / 2)));
  }
  const step = Math.max(50, LEARNED_STEP * learned.typicalMs);
  // One step early: a learned duration runs from the submit's answer to the finish as this worker
  // saw it, a little longer than the provider's own.
  if (elapsedMs < learned.lowMs - 2 * step) return learned.lowMs - step - elapsedMs;
  if (elapsedMs < learned.highMs + 2 * step) return jitter(step);
  // Slower than any task seen: back off, by a quarter of the overrun, within the usual cap.
  return jitter(Math.min(DEFAULT_TIMING.maxMs, Math.max(step, (elapsedMs - learned.highMs) / 4)));
}
