// Webhook delivery the way the provider family does it: POST JSON, wait at most 15 s for an
// answer, retry a failed delivery a few times, then give up. A receiver that is down or broken
// must never take the simulator with it, so nothing here throws to the caller.

import { Agent, request } from 'undici';
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

  constructor(
    private readonly options: CallbackDeliveryOptions,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts delivery in the background; `label` names the callback in log lines. */
  send(url: string, body: unknown, label: string): void {
    if (this.aborter.signal.aborted) return;
    const delivery = this.deliver(url, JSON.stringify(body), label).catch((error: unknown) => {
      this.log(`callback ${label}: unexpected error ${withoutUrlSecrets(String(error), url)}`);
    });
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Abandons pending retries and open requests. */
  async close(): Promise<void> {
    this.aborter.abort();
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
