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
 * With webhooks the fallback poll's first look (30 s for lyrics, 75 s for a song) comes after a
 * typical task has finished and its webhook arrived. A task still unseen then has most likely lost its
 * webhook (or the endpoint was down when it came), so from there on it is looked for as polling only
 * would: a sparse cadence after an overdue webhook only made a lost one cost minutes.
 */
const CALLBACK_FIRST_FACTOR = 15;

export const GROWTH = 1.5;
export const JITTER = 0.2;

export function pollTiming(kind: StepKind, callbacks: boolean): PollTiming {
  const base = POLLING_ONLY[kind] ?? DEFAULT_TIMING;
  if (!callbacks) return base;
  return { firstMs: base.firstMs * CALLBACK_FIRST_FACTOR, maxMs: base.maxMs };
}

/**
 * Delay before poll number `attempt + 1`, where `attempt` (1-based) is the poll that just saw the
 * task unfinished. `random` is injectable so tests can pin the jitter.
 */
export function nextPollDelayMs(kind: StepKind, attempt: number, callbacks: boolean, random: () => number = Math.random): number {
  const { firstMs, maxMs } = pollTiming(kind, false);
  const nominal =
    callbacks && attempt <= 1
      ? pollTiming(kind, true).firstMs
      : // Polling only, or a webhook overdue: the polling-only cadence, starting over after the first look.
        Math.min(maxMs, firstMs * GROWTH ** Math.max(0, attempt - (callbacks ? 2 : 1)));
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

/** Durations remembered per key, oldest first: what a learner knows, and what it can start from. */
export type LearnedDurations = Record<string, number[]>;

/**
 * Learns each provider and step kind's real durations from the tasks this worker saw finish. It may
 * start from what an earlier worker learned (steps/learnedDurationsFile.ts); otherwise a new worker
 * starts on the documented schedule and learns again within a few tasks.
 */
export class DurationLearner {
  private readonly seen = new Map<string, number[]>();

  constructor(known: LearnedDurations = {}) {
    for (const [key, list] of Object.entries(known)) for (const durationMs of list) this.record(key, durationMs);
  }

  record(key: string, durationMs: number): void {
    if (!(durationMs > 0) || !Number.isFinite(durationMs)) return;
    const list = this.seen.get(key) ?? [];
    list.push(durationMs);
    if (list.length > WINDOW) list.shift();
    // Most recently learned last, so that a bounded copy keeps the keys still in use.
    this.seen.delete(key);
    this.seen.set(key, list);
  }

  /** Everything learned, the keys least recently added to first. */
  known(): LearnedDurations {
    return Object.fromEntries([...this.seen].map(([key, list]) => [key, [...list]]));
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
 * a safety net: its first look (`webhookExpected`) is at twice the slowest duration seen, when a
 * webhook is overdue, and from then on it backs off as polling only does past the slowest task (by a
 * quarter of the overrun).
 */
export function learnedPollDelayMs(learned: LearnedDuration, elapsedMs: number, webhookExpected: boolean, random: () => number = Math.random): number {
  const jitter = (ms: number) => Math.round(ms * (1 + JITTER * (2 * random() - 1)));
  if (webhookExpected) {
    const overdueAt = 2 * learned.highMs;
    if (elapsedMs < overdueAt) return jitter(overdueAt - elapsedMs);
    // Overdue: the webhook is most likely lost; look as polling only would past the slowest task seen.
  }
  const step = Math.max(50, LEARNED_STEP * learned.typicalMs);
  // One step early: a learned duration runs from the submit's answer to the finish as this worker
  // saw it, a little longer than the provider's own.
  if (elapsedMs < learned.lowMs - 2 * step) return learned.lowMs - step - elapsedMs;
  if (elapsedMs < learned.highMs + 2 * step) return jitter(step);
  // Slower than any task seen: back off, by a quarter of the overrun, within the usual cap.
  return jitter(Math.min(DEFAULT_TIMING.maxMs, Math.max(step, (elapsedMs - learned.highMs) / 4)));
}

/** What decides the delay before the next look at a task. */
export interface NextLook {
  kind: StepKind;
  callbacks: boolean;
  /** The look about to be scheduled is poll number `pollNumber + 1`: 0 or 1 while none was made yet. */
  pollNumber: number;
  elapsedMs: number;
  /** What this worker learned of the provider and kind, if enough. */
  learned?: LearnedDuration;
  /** Scales the documented schedule (benchmarks with shortened durations). */
  pollScale: number;
}

/**
 * Delay before the next look: the learned schedule once there is one, else the documented one. Only
 * the first look waits for a webhook: once a look was made (the webhook was overdue by the schedule of
 * the moment, maybe the documented one before anything was learned), the next follows the polling
 * cadence. Measured at 200 songs: a poll begun on the documented schedule whose worker then learned
 * the durations put its second look at twice the slowest task, 30 s after a 30 s task finished.
 */
export function nextLookDelayMs(look: NextLook, random: () => number = Math.random): number {
  const webhookExpected = look.callbacks && look.pollNumber <= 1;
  return Math.max(
    100,
    look.learned
      ? learnedPollDelayMs(look.learned, look.elapsedMs, webhookExpected, random)
      : Math.round(nextPollDelayMs(look.kind, look.pollNumber, look.callbacks, random) * look.pollScale),
  );
}
