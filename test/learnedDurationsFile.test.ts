// A worker started again (a deploy, a crash, a supervisor replacing a killed one) polls on the task
// durations the last worker learned, kept in a file (steps/learnedDurationsFile.ts), instead of the
// documented schedule. Runs the real activities against the simulator over loopback HTTP.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderTaskActivities } from '../steps/providerTasks';
import { learnedDurationsFile } from '../steps/learnedDurationsFile';
import { JITTER, MIN_SAMPLES, nextPollDelayMs } from '../steps/pollSchedule';
import type { QueryInput, SubmitInput, SubmitResult } from '../contracts/providerTasks';
import type { TaskSnapshot } from '../providers/model';
import { startSimulator, type RunningSimulator } from '../simulator';

const API_KEY = 'durations-test-key';
const SECRET = 'durations-test-secret-durations';
/** The simulated song takes this long; the documented schedule expects a minute or more. */
const SONG_MS = 400;
let simulator: RunningSimulator;
let scratch: string;

beforeAll(async () => {
  simulator = await startSimulator({ apiKey: API_KEY, sendCallbacks: false, clipSeconds: 1, stageDelaysMs: { text: 100, first: 200, complete: SONG_MS } });
  scratch = await mkdtemp(path.join(tmpdir(), 'learned-durations-'));
});
afterAll(async () => {
  await simulator?.close();
  await rm(scratch, { recursive: true, force: true });
});

function worker(file: string | undefined, warnings: string[] = [], baseUrl = simulator.url) {
  const store = file ? learnedDurationsFile(file, (line) => warnings.push(line)) : undefined;
  const activities = createProviderTaskActivities({
    endpointFor: () => ({ baseUrl, apiKey: API_KEY }),
    callbacks: { publicUrl: 'http://127.0.0.1:9', secret: SECRET },
    httpTimeoutMs: 2_000,
    pollScaleFor: () => 1,
    batchWindowMs: 0,
    learnedDurations: store,
  });
  // What a worker's shutdown does (scripts/worker.ts): pending durations written now.
  const flush = async (): Promise<void> => store?.flush();
  return { ...activities, flush };
}

// Scheduled now: the poll counts from its schedule time when this worker did not send the submit.
const quiet = (attempt = 1) => new MockActivityEnvironment({ attempt, scheduledTimestampMs: Date.now() }, { logger: new DefaultLogger('ERROR') });

/** Submits songs and confirms each once finished, as a callback's query would: the worker learns their durations. */
async function finishSongs(activities: ReturnType<typeof worker>, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const submit: SubmitInput = { provider: 'anyint', workflowId: `wf-${i}`, stepId: 'song', request: { kind: 'song', song: { prompt: `song ${i}`, instrumental: true } }, callbacks: false, callbackTtlMs: 60_000 };
    const { taskId } = (await quiet().run(activities.submitProviderTask, submit)) as SubmitResult;
    await new Promise((resolve) => setTimeout(resolve, SONG_MS + 150));
    const query: QueryInput = { provider: 'anyint', kind: 'song', taskId, callbacks: false };
    const snapshot = (await quiet().run(activities.queryProviderTask, query)) as TaskSnapshot;
    expect(snapshot.state).toBe('succeeded');
  }
}

/** The delay the poll's first attempt gives itself before its first look at a song just submitted, with callbacks on. */
async function firstLookMs(activities: ReturnType<typeof worker>): Promise<number> {
  const input: QueryInput = { provider: 'anyint', kind: 'song', taskId: 'not-looked-at', callbacks: true };
  const failure = await quiet().run(activities.awaitProviderTask, input).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(failure instanceof ApplicationFailure)) throw new Error(`expected the first attempt to wait, got ${String(failure)}`);
  return Number(failure.nextRetryDelay);
}

describe('learned poll durations kept across worker restarts', () => {
  it('a worker started again looks for a lost webhook when the last worker would have, not on the documented schedule', async () => {
    const file = path.join(scratch, 'restart', 'learned-durations.json');
    const documentedMs = nextPollDelayMs('song', 1, true, () => 0.5);

    const first = worker(file);
    await finishSongs(first, MIN_SAMPLES);
    const learnedMs = await firstLookMs(first);
    // Twice the slowest song seen (well under a second or two here), against over a minute documented.
    expect(learnedMs).toBeLessThan(documentedMs / 10);
    await first.flush();

    const warnings: string[] = [];
    const restarted = worker(file, warnings);
    const afterRestart = await firstLookMs(restarted);
    expect(afterRestart).toBeLessThan(documentedMs / 10);
    expect(Math.abs(afterRestart - learnedMs)).toBeLessThanOrEqual(learnedMs * 2 * JITTER + 1);
    expect(warnings).toEqual([]);

    // Without the file a new worker knows nothing yet: the documented schedule.
    expect(await firstLookMs(worker(undefined))).toBeGreaterThanOrEqual(documentedMs * (1 - JITTER) - 1);
  });

  it('does not time a different endpoint by what it learned of another', async () => {
    const file = path.join(scratch, 'endpoints', 'learned-durations.json');
    const learnedHere = worker(file);
    await finishSongs(learnedHere, MIN_SAMPLES);
    await learnedHere.flush();
    const documentedMs = nextPollDelayMs('song', 1, true, () => 0.5);
    expect(await firstLookMs(worker(file))).toBeLessThan(documentedMs / 10);
    // The same provider name, now pointed at another endpoint (a real provider, another simulator).
    const elsewhere = worker(file, [], 'http://127.0.0.1:9');
    expect(await firstLookMs(elsewhere)).toBeGreaterThanOrEqual(documentedMs * (1 - JITTER) - 1);
  });

  it('leaves no partial file behind and writes a file a person can read', async () => {
    const dir = path.join(scratch, 'atomic');
    const store = learnedDurationsFile(path.join(dir, 'learned-durations.json'), () => {});
    store.save(() => ({ 'anyint\u0000http://x\u0000song': [1_000, 2_000, 3_000] }));
    await store.flush();
    expect(await readdir(dir)).toEqual(['learned-durations.json']);
    expect(JSON.parse(await readFile(path.join(dir, 'learned-durations.json'), 'utf8'))).toEqual({
      version: 1,
      durations: { 'anyint\u0000http://x\u0000song': [1_000, 2_000, 3_000] },
    });
  });

  for (const [name, content, expected] of [
    ['not JSON', '{"version": 1, "durations": {', /not JSON/],
    ['a duration that is not a number', '{"version": 1, "durations": {"k": [1000, "soon"]}}', /durations\.k\.1/],
    ['another version', '{"version": 2, "durations": {}}', /version/],
  ] as const) {
    it(`a file with ${name} is reported, and the worker polls on the documented schedule`, async () => {
      const file = path.join(scratch, `bad-${name.replace(/\W+/g, '-')}.json`);
      await writeFile(file, content);
      const warnings: string[] = [];
      const activities = worker(file, warnings);
      const documentedMs = nextPollDelayMs('song', 1, true, () => 0.5);
      expect(await firstLookMs(activities)).toBeGreaterThanOrEqual(documentedMs * (1 - JITTER) - 1);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(file);
      expect(warnings[0]).toMatch(expected);
    });
  }

  it('a missing file is no error: a first start', () => {
    const warnings: string[] = [];
    expect(learnedDurationsFile(path.join(scratch, 'none', 'learned-durations.json'), (line) => warnings.push(line)).load()).toEqual({});
    expect(warnings).toEqual([]);
  });
});
