// The simulator's injected faults, read by our own adapters over real HTTP: every dialect's error
// answer for each class must come out as that class, or the workflows' retry rules (retry throttled
// and unavailable, never retry the rest) would act on the wrong meaning. Exchange faults must leave
// the task paid for and the client without an answer; webhook faults must duplicate, delay, reorder
// or drop deliveries.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProvider, type ProviderEndpoint } from '../providers/http';
import { ProviderError } from '../providers/errors';
import { PROVIDER_NAMES, type ProviderName } from '../providers/model';
import { adapterFor } from '../providers/registry';
import { ERROR_FAULTS, startSimulator, type ErrorStatusMode, type RunningSimulator } from '../simulator/index';
import { startReceiver, waitForWith, type Receiver } from './helpers/simulatorHttp';

const API_KEY = 'fault-test-key';

async function submitSong(simulator: RunningSimulator, provider: ProviderName, timeoutMs = 5_000): Promise<unknown> {
  const adapter = adapterFor(provider);
  const call = adapter.buildSubmit({ kind: 'song', song: { prompt: 'a song about weather', instrumental: false } }, undefined);
  const endpoint: ProviderEndpoint = { baseUrl: simulator.url, apiKey: API_KEY };
  // With 'always-200' the error is only in the envelope, which parsing the answer reads.
  const answer = await callProvider(adapter, endpoint, call, { timeoutMs, idempotent: false });
  adapter.parseSubmit('song', answer);
  return answer;
}

async function errorOf(work: Promise<unknown>): Promise<ProviderError> {
  const outcome = await work.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(outcome)}`);
  return outcome;
}

describe.each<ErrorStatusMode>(['mirror', 'always-200'])('injected error answers (%s)', (errorStatus) => {
  let simulator: RunningSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({ apiKey: API_KEY, errorStatus, sendCallbacks: false, clipSeconds: 1, stageDelaysMs: { text: 0, first: 0, complete: 0 } });
  });
  afterAll(() => simulator.close());

  for (const provider of PROVIDER_NAMES) {
    it(`${provider}: each class reads as that class, costs nothing, and only the next submit is hit`, async () => {
      for (const fault of ERROR_FAULTS) {
        const paidBefore = simulator.ledger.length;
        simulator.faults.add([{ fault, on: 'submit' }]);
        const error = await errorOf(submitSong(simulator, provider));
        expect({ fault, errorClass: error.errorClass }).toEqual({ fault, errorClass: fault });
        expect(error.retryable).toBe(fault === 'throttled' || fault === 'unavailable');
        expect(simulator.ledger).toHaveLength(paidBefore);
        // The rule is spent: the same submit now goes through and is paid for once.
        await submitSong(simulator, provider);
        expect(simulator.ledger).toHaveLength(paidBefore + 1);
      }
    });
  }
});

describe('injected exchange faults', () => {
  let simulator: RunningSimulator;
  beforeAll(async () => {
    simulator = await startSimulator({ apiKey: API_KEY, sendCallbacks: false, clipSeconds: 1, faults: { hangMs: 60_000 } });
  });
  afterAll(() => simulator.close());

  it("a cut connection leaves the submit paid for and the client's outcome ambiguous", async () => {
    const paidBefore = simulator.ledger.length;
    simulator.faults.add([{ fault: 'cut', match: 'POST /suno/generate' }]);
    const error = await errorOf(submitSong(simulator, 'anyint'));
    expect(error.errorClass).toBe('ambiguous');
    expect(simulator.ledger).toHaveLength(paidBefore + 1);
  });

  it('a hung submit times out on the client as ambiguous, with the task accepted', async () => {
    const paidBefore = simulator.ledger.length;
    simulator.faults.add([{ fault: 'hang', on: 'submit' }]);
    const error = await errorOf(submitSong(simulator, 'acedata', 500));
    expect(error.errorClass).toBe('ambiguous');
    expect(error.message).toContain('no answer within 500 ms');
    expect(simulator.ledger).toHaveLength(paidBefore + 1);
  });

  it('query faults hit queries only, and a failed query is safe to repeat (unavailable, not ambiguous)', async () => {
    simulator.faults.add([{ fault: 'cut', on: 'query' }]);
    const submitted = await submitSong(simulator, 'anyint');
    expect(simulator.faults.pending()).toHaveLength(1);
    const adapter = adapterFor('anyint');
    const taskId = adapter.parseSubmit('song', submitted).taskId;
    const query = adapter.buildQuery('song', taskId);
    const endpoint = { baseUrl: simulator.url, apiKey: API_KEY };
    const error = await errorOf(callProvider(adapter, endpoint, query, { timeoutMs: 5_000, idempotent: true }));
    expect(error.errorClass).toBe('unavailable');
    expect(simulator.faults.pending()).toHaveLength(0);
    await expect(callProvider(adapter, endpoint, query, { timeoutMs: 5_000, idempotent: true })).resolves.toBeDefined();
  });

  it('faults can be switched on over HTTP, and a bad rule is refused with the field named', async () => {
    const bad = await fetch(`${simulator.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ fault: 'explode' }] }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { msg: string }).msg).toMatch(/^rules\.0\.fault: /);

    const added = await fetch(`${simulator.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ fault: 'billing', on: 'submit', times: 2 }] }),
    });
    expect(added.status).toBe(200);
    expect((await errorOf(submitSong(simulator, 'cqt'))).errorClass).toBe('billing');
    expect((await errorOf(submitSong(simulator, 'cqt'))).errorClass).toBe('billing');
    await submitSong(simulator, 'cqt');
    const report = (await (await fetch(`${simulator.url}/_sim/faults`)).json()) as { counts: Record<string, number> };
    expect(report.counts.billing).toBe(2);
  });

  it('a rule can name one exact route, and pending rules can be cleared over HTTP', async () => {
    const control = (body: unknown) =>
      fetch(`${simulator.url}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // "POST /suno/generate" as a substring would also hit /suno/generate-lyrics; as a route it does not.
    expect((await control({ rules: [{ fault: 'unavailable', route: 'POST /suno/generate', times: 5 }] })).status).toBe(200);
    const adapter = adapterFor('anyint');
    const lyrics = adapter.buildSubmit({ kind: 'lyrics', lyrics: { prompt: 'words about rain' } }, 'http://127.0.0.1:9/unused');
    await callProvider(adapter, { baseUrl: simulator.url, apiKey: API_KEY }, lyrics, { timeoutMs: 5_000, idempotent: false });
    expect((await errorOf(submitSong(simulator, 'anyint'))).errorClass).toBe('unavailable');
    expect(simulator.faults.pending()).toEqual([expect.objectContaining({ route: 'POST /suno/generate', times: 4 })]);

    const cleared = await control({ clear: true, hangMs: 1_000 });
    expect(await cleared.json()).toEqual({ pending: [] });
    expect(simulator.faults.hangMs).toBe(1_000);
    await submitSong(simulator, 'anyint');
    expect((await control({ rules: [{ fault: 'hang', route: 'POST suno' }] })).status).toBe(400);
  });

  it('random faults follow the seed: the same seed injects on the same requests', async () => {
    const pattern = async () => {
      const seeded = await startSimulator({ apiKey: API_KEY, seed: 'dice', sendCallbacks: false, clipSeconds: 1, faults: { random: { rate: 0.5, faults: ['unavailable'], on: 'submit' } } });
      try {
        const hits: boolean[] = [];
        for (let i = 0; i < 12; i++) {
          hits.push(await submitSong(seeded, 'anyint').then(() => false, () => true));
        }
        return hits;
      } finally {
        await seeded.close();
      }
    };
    const first = await pattern();
    expect(first.filter(Boolean).length).toBeGreaterThan(0);
    expect(first.filter(Boolean).length).toBeLessThan(12);
    expect(await pattern()).toEqual(first);
  });
});

describe('injected webhook faults', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  async function songWithWebhooks(fault: 'duplicate' | 'delay' | 'reorder' | 'drop') {
    const simulator = await startSimulator({
      apiKey: API_KEY,
      clipSeconds: 1,
      stageDelaysMs: { text: 100, first: 200, complete: 300 },
      faults: { callbacks: { rate: 1, faults: [fault], delayMs: 700 } },
    });
    const path = `/hook-${fault}`;
    const adapter = adapterFor('anyint');
    const call = adapter.buildSubmit({ kind: 'song', song: { prompt: `webhooks ${fault}`, instrumental: false } }, `${receiver.url}${path}`);
    await callProvider(adapter, { baseUrl: simulator.url, apiKey: API_KEY }, call, { timeoutMs: 5_000, idempotent: false });
    const started = Date.now();
    return { simulator, path, started, stages: () => receiver.received.filter((r) => r.path === path).map((r) => String(r.body.data.callbackType)) };
  }

  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const waitForStages = (run: { stages(): string[] }, count: number) =>
    waitForWith(5_000)(`${count} webhooks`, () => (run.stages().length >= count ? true : undefined));

  it('duplicate: every webhook arrives twice', async () => {
    const run = await songWithWebhooks('duplicate');
    await settle(1_500);
    await run.simulator.close();
    expect(run.stages()).toEqual(['text', 'text', 'first', 'first', 'complete', 'complete']);
  });

  it('reorder: a webhook is held until the next one has gone, and the last one comes late', async () => {
    const run = await songWithWebhooks('reorder');
    // Waits rather than fixed sleeps: on a busy machine the first webhook can leave late, but never in another order.
    await waitForStages(run, 2);
    expect(run.stages()).toEqual(['first', 'text']);
    await waitForStages(run, 3);
    await run.simulator.close();
    expect(run.stages()).toEqual(['first', 'text', 'complete']);
  });

  it('delay: webhooks come late', async () => {
    const run = await songWithWebhooks('delay');
    await settle(500);
    expect(run.stages()).toEqual([]);
    await settle(1_200);
    await run.simulator.close();
    expect(run.stages()).toEqual(['text', 'first', 'complete']);
  });

  it('drop: no webhook arrives at all', async () => {
    const run = await songWithWebhooks('drop');
    await settle(1_000);
    expect(run.simulator.faults.counts().drop).toBe(3);
    await run.simulator.close();
    expect(run.stages()).toEqual([]);
  });
});
