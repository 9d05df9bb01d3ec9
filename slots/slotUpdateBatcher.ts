// Gathers the slot requests of one worker's runs into few updates to the provider's semaphore
// (contracts/providerSlots.ts, acquireSlotsUpdate). A request goes at once when no update is on its
// way; those that come meanwhile wait for it and go together in the next. Each update costs the
// semaphore a workflow task, and the server keeps few in flight per workflow: at a burst of 500
// songs, one update per step let 8 through and sent the rest as signals, whose grants came 8 to 16 s
// later as signals of their own.
import type { ProviderName } from '../providers/model';
import type { SlotUpdateRequest } from '../contracts/providerSlots';

/** Sends one update for these requests; resolves with whether each was granted, in order. */
export type SendSlotUpdate = (provider: ProviderName, requests: SlotUpdateRequest[]) => Promise<boolean[]>;

interface Queued {
  request: SlotUpdateRequest;
  answer(granted: boolean | undefined): void;
}

export interface SlotUpdateBatcherOptions {
  /** Updates on their way at once, per provider (the server refuses past 10 per workflow, all workers together). */
  maxInFlight: number;
  /** Requests in one update, so that one answer stays small. */
  maxBatch: number;
}

export class SlotUpdateBatcher {
  private readonly queues = new Map<ProviderName, Queued[]>();
  private readonly inFlight = new Map<ProviderName, number>();

  constructor(
    private readonly send: SendSlotUpdate,
    private readonly options: SlotUpdateBatcherOptions = { maxInFlight: 2, maxBatch: 100 },
  ) {}

  /**
   * Asks for a slot: true when it was granted in the answer, false when the request waits its turn
   * (its grant comes as a signal), undefined when the update failed (the caller asks by signal).
   */
  ask(provider: ProviderName, request: SlotUpdateRequest): Promise<boolean | undefined> {
    return new Promise((answer) => {
      const queue = this.queues.get(provider) ?? [];
      queue.push({ request, answer });
      this.queues.set(provider, queue);
      this.flush(provider);
    });
  }

  private flush(provider: ProviderName): void {
    const queue = this.queues.get(provider);
    while (queue && queue.length > 0 && (this.inFlight.get(provider) ?? 0) < this.options.maxInFlight) {
      const batch = queue.splice(0, this.options.maxBatch);
      this.inFlight.set(provider, (this.inFlight.get(provider) ?? 0) + 1);
      this.send(
        provider,
        batch.map((q) => q.request),
      )
        .then(
          (granted) => batch.forEach((q, i) => q.answer(granted[i])),
          // Refused (too many updates in flight, a semaphore from before this update) or slow: each asks by signal.
          () => batch.forEach((q) => q.answer(undefined)),
        )
        .finally(() => {
          this.inFlight.set(provider, (this.inFlight.get(provider) ?? 1) - 1);
          this.flush(provider);
        });
    }
    if (queue?.length === 0) this.queues.delete(provider);
  }
}
