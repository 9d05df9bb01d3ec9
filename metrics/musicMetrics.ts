// Our own Prometheus metrics: what a team running the pipelines watches (throughput, provider
// errors, credits, lag, webhooks, bytes). They are counted where the work happens, in activity code
// and in the callback endpoint, never in workflow code (which replays, and so would count twice).
//
// Each process builds one MusicMetrics on its own registry and hands it to the code that counts;
// code given none counts into a registry nobody reads, so callers never test for "metrics on".
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DEFAULT_PRICES, priceOf, type PriceTable } from '../providers/prices';
import type { ErrorClass } from '../providers/errors';
import type { ProviderName, StepKind } from '../providers/model';

/** How a provider step ended, as far as activity code can see it. */
export type StepOutcome =
  /** The provider's task finished with its results. */
  | 'succeeded'
  /** The provider's task finished as failed. */
  | 'failed'
  /** The submit was refused outright (bad input, auth, billing): no task exists, nothing was paid. */
  | 'refused';

/** Which activity first saw a task finished: a poll, or the query that confirms a webhook (or a synchronous answer). */
export type NoticedBy = 'poll' | 'query' | 'submit';

/** A provider error as we classify it; wire-format means an answer we could not read. */
export type ProviderErrorClass = ErrorClass | 'wire-format';

/** Why the callback endpoint refused a webhook (its HTTP answer, by cause). */
export type WebhookRefusal = 'token' | 'method' | 'content-type' | 'too-large' | 'malformed' | 'not-a-callback' | 'unavailable';

export interface SlotReading {
  provider: ProviderName;
  /** Tasks holding a slot: submitted (or being submitted) and not yet finished. */
  held: number;
  /** Steps waiting for a slot. */
  waiting: number;
}

export interface MusicMetricsOptions {
  /** Where credits are priced (default: the built-in price list). */
  prices?: PriceTable;
  /** Node's process metrics (CPU, memory, event loop lag) as well; default true. */
  processMetrics?: boolean;
}

const LAG_BUCKETS_SECONDS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800];

export class MusicMetrics {
  readonly registry: Registry;
  private readonly prices: PriceTable;
  private readonly stepsStarted: Counter<'provider' | 'kind'>;
  private readonly stepsFinished: Counter<'provider' | 'kind' | 'outcome' | 'noticed_by'>;
  private readonly providerErrors: Counter<'provider' | 'class' | 'operation'>;
  private readonly paidSubmits: Counter<'provider' | 'kind'>;
  private readonly creditsSpent: Counter<'provider' | 'kind' | 'basis'>;
  private readonly doneNoticed: Histogram<'provider' | 'kind'>;
  private readonly bytesStoredTotal: Counter<'kind'>;
  private readonly filesStoredTotal: Counter<'kind'>;
  private readonly webhooksReceived: Counter<'provider'>;
  private readonly webhooksRefused: Counter<'reason'>;
  private readonly webhooksIgnored: Counter<'provider' | 'reason'>;
  private readonly webhooksSignalled: Counter<'provider' | 'stage'>;
  /** Task ids already counted as finished, so that a poll and a confirming query racing each other count once (per process). */
  private readonly finished = new Set<string>();

  constructor(options: MusicMetricsOptions = {}, registry = new Registry()) {
    this.registry = registry;
    this.prices = options.prices ?? DEFAULT_PRICES;
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
    const registers = [registry];
    this.stepsStarted = new Counter({ name: 'music_steps_started_total', help: 'Provider steps whose submit began (a fresh submit, not a retry resuming its journal).', labelNames: ['provider', 'kind'], registers });
    this.stepsFinished = new Counter({
      name: 'music_steps_finished_total',
      help: 'Provider steps that ended: succeeded or failed at the provider, or refused at submit. noticed_by: the activity that first saw the end.',
      labelNames: ['provider', 'kind', 'outcome', 'noticed_by'],
      registers,
    });
    this.providerErrors = new Counter({ name: 'music_provider_errors_total', help: 'Errors from provider calls, by class (rejected, auth, billing, throttled, unavailable, ambiguous, wire-format) and operation.', labelNames: ['provider', 'class', 'operation'], registers });
    this.paidSubmits = new Counter({ name: 'music_paid_submits_total', help: 'Submits the provider accepted: each one costs credits.', labelNames: ['provider', 'kind'], registers });
    this.creditsSpent = new Counter({ name: 'music_credits_spent_total', help: "Credits the accepted submits cost at the price list (each provider's own unit; basis: published, assumed or override).", labelNames: ['provider', 'kind', 'basis'], registers });
    this.doneNoticed = new Histogram({
      name: 'music_provider_done_noticed_seconds',
      help: 'For tasks found finished: seconds since this worker last saw them unfinished (at submit, in a poll or a query), the longest the finished task can have waited unnoticed.',
      labelNames: ['provider', 'kind'],
      buckets: LAG_BUCKETS_SECONDS,
      registers,
    });
    this.bytesStoredTotal = new Counter({ name: 'music_bytes_stored_total', help: 'Bytes of verified files written (downloads, text files, album files).', labelNames: ['kind'], registers });
    this.filesStoredTotal = new Counter({ name: 'music_files_stored_total', help: 'Verified files written.', labelNames: ['kind'], registers });
    this.webhooksReceived = new Counter({ name: 'music_webhooks_received_total', help: 'Requests to the callback route (provider "unknown" when the token was not ours).', labelNames: ['provider'], registers });
    this.webhooksRefused = new Counter({ name: 'music_webhooks_refused_total', help: 'Webhooks answered with an error, by cause (token, method, content-type, too-large, malformed, not-a-callback, unavailable).', labelNames: ['reason'], registers });
    this.webhooksIgnored = new Counter({ name: 'music_webhooks_ignored_total', help: 'Genuine webhooks that could change nothing (the run is closed).', labelNames: ['provider', 'reason'], registers });
    this.webhooksSignalled = new Counter({ name: 'music_webhooks_signalled_total', help: 'Webhooks delivered to their run as a providerEvent hint, by stage.', labelNames: ['provider', 'stage'], registers });
  }

  stepStarted(provider: ProviderName, kind: StepKind): void {
    this.stepsStarted.inc({ provider, kind });
  }

  /** Counts a task's end once per process, whichever activity sees it first. */
  stepFinished(provider: ProviderName, kind: StepKind, outcome: StepOutcome, noticedBy: NoticedBy, taskId?: string): void {
    if (taskId !== undefined) {
      const key = `${provider}\u0000${taskId}`;
      if (this.finished.has(key)) return;
      this.finished.add(key);
      // Bounded: a long-lived worker must not grow without end; a duplicate this old is harmless.
      if (this.finished.size > 10_000) this.finished.delete(this.finished.values().next().value!);
    }
    this.stepsFinished.inc({ provider, kind, outcome, noticed_by: noticedBy });
  }

  providerError(provider: ProviderName, errorClass: ProviderErrorClass, operation: 'submit' | 'query' | 'poll'): void {
    this.providerErrors.inc({ provider, class: errorClass, operation });
  }

  /** An accepted submit: counts it and the credits its kind costs at the price list. */
  paidSubmit(provider: ProviderName, kind: StepKind): void {
    this.paidSubmits.inc({ provider, kind });
    const price = priceOf(this.prices, provider, kind);
    if (price) this.creditsSpent.inc({ provider, kind, basis: price.basis }, price.credits);
  }

  doneNoticedAfter(provider: ProviderName, kind: StepKind, seconds: number): void {
    this.doneNoticed.observe({ provider, kind }, Math.max(0, seconds));
  }

  bytesStored(kind: string, bytes: number): void {
    this.bytesStoredTotal.inc({ kind }, bytes);
    this.filesStoredTotal.inc({ kind });
  }

  webhookReceived(provider: ProviderName | 'unknown'): void {
    this.webhooksReceived.inc({ provider });
  }

  webhookRefused(reason: WebhookRefusal): void {
    this.webhooksRefused.inc({ reason });
  }

  webhookIgnored(provider: ProviderName, reason: 'run-closed'): void {
    this.webhooksIgnored.inc({ provider, reason });
  }

  webhookSignalled(provider: ProviderName, stage: string): void {
    this.webhooksSignalled.inc({ provider, stage });
  }

  /**
   * Tasks in flight per provider, read from the provider semaphores when Prometheus scrapes: the
   * semaphore is shared by every run and worker, so this is the cluster's figure, not this
   * process's (every worker reports the same; the dashboard takes the max).
   */
  trackSlots(read: () => Promise<SlotReading[]>): void {
    const registers = [this.registry];
    let latest: Promise<SlotReading[]> | undefined;
    // Both gauges are collected in the same scrape: one reading serves both.
    const reading = () => (latest ??= read().finally(() => setTimeout(() => (latest = undefined), 1_000).unref()));
    new Gauge({
      name: 'music_provider_tasks_in_flight',
      help: 'Provider tasks holding a slot of their provider (submitted or being submitted, not yet finished), all runs together.',
      labelNames: ['provider'],
      registers,
      async collect() {
        this.reset();
        for (const r of await reading()) this.set({ provider: r.provider }, r.held);
      },
    });
    new Gauge({
      name: 'music_provider_steps_waiting_for_slot',
      help: 'Steps waiting for a slot of their provider, all runs together.',
      labelNames: ['provider'],
      registers,
      async collect() {
        this.reset();
        for (const r of await reading()) this.set({ provider: r.provider }, r.waiting);
      },
    });
  }
}
