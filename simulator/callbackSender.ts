// Webhook delivery the way the provider family does it: POST JSON, wait at most 15 s for an
// answer, retry a failed delivery a few times, then give up. A receiver that is down or broken
// must never take the simulator with it, so nothing here throws to the caller. Injected faults
// (simulator/faults.ts) make deliveries as unreliable as real ones can be.

import { Agent, request } from 'undici';
import type { FaultPlan } from './faults';
import { logSafeUrl, withoutUrlSecrets } from './logSafeUrl';

export interface CallbackDeliveryOptions {
  /** Total tries per callback, including the first. */
  attempts: number;
  retryDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_CALLBACK_DELIVERY: CallbackDeliveryOptions = {
  attempts: 3,
  retryDelayMs: 1000,
  timeoutMs: 15_000,
};

export class CallbackSender {
  // A private connection pool, so close() can drop its sockets without touching anyone else's.
  private readonly agent = new Agent();
  private readonly aborter = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();

  private readonly held = new Map<string, { payload: string; label: string; timer: NodeJS.Timeout }[]>();

  constructor(
    private readonly options: CallbackDeliveryOptions,
    private readonly log: (line: string) => void,
    private readonly faults?: Pick<FaultPlan, 'forCallback'>,
  ) {}

  /**
   * Starts delivery in the background; `label` names the callback in log lines. An injected fault
   * may drop it, send it twice, send it late, or hold it until the task's next webhook has gone.
   */
  send(url: string, body: unknown, label: string): void {
    if (this.aborter.signal.aborted) return;
    const payload = JSON.stringify(body);
    const injected = this.faults?.forCallback(label);
    const fault = injected?.fault;
    const lateBy = injected?.delayMs ?? 0;
    if (fault === 'drop') {
      this.log(`callback ${label}: dropped (injected fault)`);
      return;
    }
    // Webhooks held back for this receiver go out after this newer one: out of order.
    const overtaken = this.held.get(url) ?? [];
    this.held.delete(url);
    // A webhook that was overtaken once is not held again: it goes out right after this one.
    if (fault === 'reorder' && overtaken.length === 0) {
      this.log(`callback ${label}: held until the next one is sent (injected fault)`);
      const held = { payload, label, timer: setTimeout(() => this.releaseHeld(url), lateBy) };
      this.held.set(url, [...overtaken, held]);
      return;
    }
    const delay = fault === 'delay' ? lateBy : 0;
    if (fault === 'delay') this.log(`callback ${label}: delayed ${delay} ms (injected fault)`);
    if (fault === 'duplicate') this.log(`callback ${label}: sent twice (injected fault)`);
    this.track(async () => {
      if (delay > 0 && !(await this.pause(delay))) return;
      await this.deliver(url, payload, label);
      if (fault === 'duplicate') await this.deliver(url, payload, `${label} (duplicate)`);
      for (const held of overtaken) {
        clearTimeout(held.timer);
        await this.deliver(url, held.payload, `${held.label} (out of order)`);
      }
    }, url);
  }

  /** A held webhook whose task sent nothing newer in time goes out anyway, late. */
  private releaseHeld(url: string): void {
    const held = this.held.get(url) ?? [];
    this.held.delete(url);
    this.track(async () => {
      for (const entry of held) await this.deliver(url, entry.payload, `${entry.label} (late)`);
    }, url);
  }

  private track(work: () => Promise<void>, url: string): void {
    const delivery = work().catch((error: unknown) => {
      this.log(`callback: unexpected error ${withoutUrlSecrets(String(error), url)}`);
    });
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Abandons pending retries and open requests. */
  async close(): Promise<void> {
    this.aborter.abort();
    for (const held of this.held.values()) for (const entry of held) clearTimeout(entry.timer);
    this.held.clear();
    await Promise.allSettled([...this.inFlight]);
    await this.agent.destroy();
  }

  private async deliver(url: string, payload: string, label: string): Promise<void> {
    const { attempts, retryDelayMs } = this.options;
    const receiver = logSafeUrl(url);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const outcome = await this.attempt(url, payload);
      if (this.aborter.signal.aborted) return;
      if (outcome.ok) {
        this.log(`callback ${label} -> ${receiver}: delivered (HTTP ${outcome.detail}, attempt ${attempt})`);
        return;
      }
      const last = attempt === attempts;
      this.log(
        `callback ${label} -> ${receiver}: attempt ${attempt}/${attempts} failed (${withoutUrlSecrets(outcome.detail, url)})` +
          (last ? ', giving up' : `, retrying in ${retryDelayMs} ms`),
      );
      if (!last && !(await this.pause(retryDelayMs))) return;
    }
  }

  private async attempt(url: string, payload: string): Promise<{ ok: boolean; detail: string }> {
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
        dispatcher: this.agent,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
        signal: this.aborter.signal,
      });
      // The body is irrelevant, but it must be consumed to free the connection.
      await response.body.dump();
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      return { ok, detail: String(response.statusCode) };
    } catch (error) {
      return { ok: false, detail: describeNetworkError(error) };
    }
  }

  /** Resolves false if the sender was closed while waiting. */
  private pause(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const signal = this.aborter.signal;
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
