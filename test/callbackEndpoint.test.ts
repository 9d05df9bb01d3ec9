// The callback endpoint against a real Temporal dev server and real songPipeline runs, each waiting in
// its song step on the scripted provider (tasks stay PENDING until a test says otherwise). The tokens
// are the ones the real submit activity put in the provider request. What a callback changed is read
// from the run itself: the `progress` query's hint counters, the provider's query count, and the
// workflow history (a hint the workflow acts on schedules a queryProviderTask activity).
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCallbackToken } from '../callbacks/callbackToken';
import { CALLBACK_BODY_LIMIT_BYTES, CALLBACK_SIGNAL_TIMEOUT_MS, startCallbackEndpoint, type CallbackEndpoint } from '../callbacks/callbackEndpoint';
import { createMusicWorker, DEFAULT_ACTIVITY_TUNING, WORKFLOWS_PATH } from '../workers/worker';
import { progressQuery, type PipelineProgress } from '../contracts/pipelineMessages';
import type { SongPipelineInput } from '../contracts/songPipeline';
import { startScriptedProvider, type ScriptedProvider, type ScriptedTask } from './helpers/scriptedProvider';
import { startTestDevServer, type TestDevServer } from './helpers/temporalEnv';

const SECRET = 'callback-endpoint-test-secret-0123456789';
const TASK_QUEUE = 'callback-endpoint-test';

interface Run {
  handle: WorkflowHandle;
  task: ScriptedTask;
  token: string;
}

let server: TestDevServer;
let connection: Connection;
let client: Client;
let nativeConnection: NativeConnection;
let worker: Worker;
let workerRunning: Promise<void>;
let provider: ScriptedProvider;
let endpoint: CallbackEndpoint;
let scratch: string;
const logLines: string[] = [];
let runA: Run;
let runB: Run;
/** For the envelope-less webhook: a run whose step has not had a finishing hint yet. */
let runC: Run;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  scratch = await mkdtemp(path.join(tmpdir(), 'callback-endpoint-'));
  const [dev, scripted, workflowBundle] = await Promise.all([startTestDevServer(), startScriptedProvider(), bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH })]);
  server = dev;
  provider = scripted;
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: server.namespace });
  endpoint = await startCallbackEndpoint({ client, secret: SECRET, port: 0, log: (line) => logLines.push(line) });
  nativeConnection = await NativeConnection.connect({ address: server.address });
  worker = await createMusicWorker({
    connection: nativeConnection,
    namespace: server.namespace,
    taskQueue: TASK_QUEUE,
    workflowBundle,
    deps: {
      ...DEFAULT_ACTIVITY_TUNING,
      endpointFor: () => ({ baseUrl: provider.url, apiKey: provider.apiKey }),
      callbacks: { publicUrl: endpoint.url, secret: SECRET },
      // After the first poll the next one is minutes away: every later query is one a callback caused.
      pollScaleFor: () => 10,
    },
  });
  workerRunning = worker.run();
  runA = await startRun('cb-run-a');
  runB = await startRun('cb-run-b');
  runC = await startRun('cb-run-c');
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await workerRunning?.catch(() => undefined);
  await nativeConnection?.close();
  await endpoint?.close();
  await connection?.close();
  await provider?.close();
  await server?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Starts a run that waits in its song step, and returns it once the step has recorded its submit (no query comes right after a submit). */
async function startRun(workflowId: string): Promise<Run> {
  const input: SongPipelineInput = {
    provider: 'anyint',
    request: { prompt: `callback endpoint test ${workflowId}`, instrumental: true, style: 'test' },
    steps: ['song'],
    outDir: path.join(scratch, workflowId),
    callbacks: true,
  };
  const handle = await client.workflow.start('songPipeline', { taskQueue: TASK_QUEUE, workflowId, args: [input] });
  const task = await eventually(() => provider.tasks.find((t) => tokenWorkflow(t) === workflowId));
  await eventually(async () => {
    const song = (await handle.query(progressQuery)).steps.find((s) => s.stepId === 'song');
    return song?.taskId === task.taskId ? true : undefined;
  });
  const callBackUrl = String(task.body.callBackUrl);
  expect(callBackUrl.startsWith(`${endpoint.url}/callbacks/`)).toBe(true);
  return { handle, task, token: callBackUrl.slice(`${endpoint.url}/callbacks/`.length) };
}

/** The workflow a submitted task's callback token names (an instrumental submit carries no prompt to match). */
function tokenWorkflow(task: ScriptedTask): string | undefined {
  const payload = String(task.body.callBackUrl ?? '').split('/callbacks/')[1]?.split('.')[0];
  return payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { w: string }).w : undefined;
}

async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function anyintCallback(taskId: string, callbackType = 'complete'): Record<string, unknown> {
  return { code: 200, msg: 'All generated successfully.', data: { callbackType, task_id: taskId, data: [] } };
}

interface Answer {
  status: number;
  body: string;
  ms: number;
}

/** `contentType` null sends none. */
async function post(token: string, body: unknown, contentType: string | null = 'application/json', base = endpoint.url): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${base}/callbacks/${token}`, {
    method: 'POST',
    headers: contentType ? { 'content-type': contentType } : {},
    // Bytes, so that fetch adds no content type of its own.
    body: body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  });
  return { status: response.status, body: await response.text(), ms: performance.now() - started };
}

/** Everything observable about what callbacks did to a run. */
/**
 * What a run shows: its hints, the provider's count of queries on its song task, the activities the
 * workflow scheduled to look at the task (a finishing hint starts the poll, looking at once; the
 * first-look timer is minutes away here) and the song step's state.
 */
async function observe(run: Run): Promise<{ hints: PipelineProgress['hints']; queries: number; lookActivities: number; songState?: string }> {
  const progress = await run.handle.query(progressQuery);
  const history = await run.handle.fetchHistory();
  const lookActivities = (history.events ?? []).filter((e) =>
    ['queryProviderTask', 'awaitProviderTask'].includes(e.activityTaskScheduledEventAttributes?.activityType?.name ?? ''),
  ).length;
  return { hints: progress.hints, queries: run.task.queries, lookActivities, songState: progress.steps.find((s) => s.stepId === 'song')?.state };
}

/** The workflow has processed every signal so far: its history ends with a completed workflow task. */
async function settled(run: Run): Promise<void> {
  await eventually(async () => {
    const events = (await run.handle.fetchHistory()).events ?? [];
    const lastIndex = (has: (e: (typeof events)[number]) => unknown) => events.reduce((last, e, i) => (has(e) ? i : last), -1);
    const lastSignal = lastIndex((e) => e.workflowExecutionSignaledEventAttributes);
    const lastCompletion = lastIndex((e) => e.workflowTaskCompletedEventAttributes);
    return lastCompletion > lastSignal ? true : undefined;
  });
  // An activity the workflow task scheduled would run at once; give it the time to reach the provider.
  await new Promise((r) => setTimeout(r, 300));
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('callback endpoint on a real Temporal server', () => {
  it('answers GET /healthz', async () => {
    const response = await fetch(`${endpoint.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
  });

  it('a hint with another task id changes nothing: ignored, no query, 200 in milliseconds', async () => {
    const before = await observe(runA);
    const answer = await post(runA.token, anyintCallback('task-from-somewhere-else'));
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeLessThan(1000);
    await eventually(async () => ((await observe(runA)).hints.received === before.hints.received + 1 ? true : undefined));
    await settled(runA);
    const after = await observe(runA);
    expect(after.hints).toEqual({ received: before.hints.received + 1, ignored: before.hints.ignored + 1 });
    expect(after.queries).toBe(before.queries);
    expect(after.lookActivities).toBe(before.lookActivities);
    expect(after.songState).toBe(before.songState);
  });

  it("run A's token cannot signal run B, even naming B's task", async () => {
    const [beforeA, beforeB] = await Promise.all([observe(runA), observe(runB)]);
    const answer = await post(runA.token, anyintCallback(runB.task.taskId));
    // Delivered to A (the token names A), where B's task id is foreign.
    expect(answer.status).toBe(200);
    await eventually(async () => ((await observe(runA)).hints.received === beforeA.hints.received + 1 ? true : undefined));
    await Promise.all([settled(runA), settled(runB)]);
    const [afterA, afterB] = await Promise.all([observe(runA), observe(runB)]);
    expect(afterA.hints.ignored).toBe(beforeA.hints.ignored + 1);
    expect(afterA.lookActivities).toBe(beforeA.lookActivities);
    expect(afterB).toEqual(beforeB);
  });

  it('a right token with the right task id wakes the step: one confirming look', async () => {
    const before = await observe(runB);
    const answer = await post(runB.token, anyintCallback(runB.task.taskId));
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeLessThan(1000);
    console.log(`a real callback answered 200 in ${answer.ms.toFixed(1)} ms (verify, parse, signal on the dev server)`);
    await eventually(async () => ((await observe(runB)).lookActivities === before.lookActivities + 1 ? true : undefined));
    await eventually(() => (runB.task.queries === before.queries + 1 ? true : undefined));
    const after = await observe(runB);
    expect(after.hints).toEqual({ received: before.hints.received + 1, ignored: before.hints.ignored });
    // The provider still says PENDING: the hint changed timing only.
    expect(after.songState).toBe('queued');
  });

  it("accepts the family's envelope-less webhook (callbackType at the top, data the clip list) and reads its stage", async () => {
    const clips = [{ id: 'clip-1', audio_url: '', stream_audio_url: 'https://s/clip-1', title: 'X', duration: null }];
    const before = await observe(runC);
    // An intermediate stage: shown by the run, not confirmed with a query (it was read as "complete", or refused with 400).
    for (const callbackType of ['text', 'first']) {
      const answer = await post(runC.token, { callbackType, task_id: runC.task.taskId, data: clips });
      expect({ callbackType, status: answer.status }).toEqual({ callbackType, status: 200 });
    }
    await eventually(async () => ((await observe(runC)).hints.received === before.hints.received + 2 ? true : undefined));
    await settled(runC);
    const intermediate = await observe(runC);
    expect(intermediate.hints.ignored).toBe(before.hints.ignored);
    expect(intermediate.lookActivities).toBe(before.lookActivities);
    expect(intermediate.queries).toBe(before.queries);
    expect(intermediate.songState).toBe('partial');
    // The finishing stage, with the id spelled taskId: one confirming look.
    const done = await post(runC.token, { callbackType: 'complete', taskId: runC.task.taskId, data: clips });
    expect(done.status).toBe(200);
    await eventually(async () => ((await observe(runC)).lookActivities === before.lookActivities + 1 ? true : undefined));
    await eventually(() => (runC.task.queries === before.queries + 1 ? true : undefined));
    const after = await observe(runC);
    expect(after.hints).toEqual({ received: before.hints.received + 3, ignored: before.hints.ignored });
    // The provider still says PENDING: the hint changed timing only, and the poll looks on.
    expect(after.songState).toBe(intermediate.songState);
    // Still refused: no task id, or a stage the family does not have.
    expect((await post(runC.token, { callbackType: 'complete', data: clips })).status).toBe(400);
    expect((await post(runC.token, { callbackType: 'halfway', task_id: runC.task.taskId, data: clips })).status).toBe(400);
  });

  it('refuses bad, expired, malformed and other-secret tokens with one identical 401', async () => {
    const [beforeA, beforeB] = await Promise.all([observe(runA), observe(runB)]);
    const inOneHour = new Date(Date.now() + 3_600_000);
    const [payload, signature] = runA.token.split('.') as [string, string];
    const forgedPayload = Buffer.from(JSON.stringify({ w: runB.handle.workflowId, s: 'song', p: 'anyint', e: 9_999_999_999 })).toString('base64url');
    const tokens = {
      'other secret': signCallbackToken('some-other-secret-entirely-0000', { workflowId: runA.handle.workflowId, stepId: 'song', provider: 'anyint', expiresAt: inOneHour }),
      expired: signCallbackToken(SECRET, { workflowId: runA.handle.workflowId, stepId: 'song', provider: 'anyint', expiresAt: new Date(Date.now() - 1000) }),
      "A's signature on B's claims": `${forgedPayload}.${signature}`,
      'tampered signature': `${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`,
      'no signature': payload,
      'empty signature': `${payload}.`,
      'three parts': `${runA.token}.x`,
      garbage: 'not-a-token',
      'unknown provider': signCallbackToken(SECRET, { workflowId: runA.handle.workflowId, stepId: 'song', provider: 'evil', expiresAt: inOneHour }),
      'far too long': `${payload}${'A'.repeat(4000)}.${signature}`,
    };
    const answers = new Map<string, Answer>();
    for (const [name, token] of Object.entries(tokens)) {
      answers.set(name, await post(token, anyintCallback(runA.task.taskId)));
    }
    for (const [name, answer] of answers) {
      expect({ name, status: answer.status }).toEqual({ name, status: 401 });
      // No detail that tells a forger which check failed.
      expect(answer.body).toBe(answers.get('garbage')!.body);
    }
    await Promise.all([settled(runA), settled(runB)]);
    expect(await observe(runA)).toEqual(beforeA);
    expect(await observe(runB)).toEqual(beforeB);
    for (const token of Object.values(tokens)) {
      expect(logLines.filter((line) => line.includes(token))).toEqual([]);
    }
  });

  it('accepts only JSON under the size limit: 415, 400 and 413 otherwise, and nothing reaches the run', async () => {
    const before = await observe(runA);
    const right = anyintCallback(runA.task.taskId);
    expect((await post(runA.token, JSON.stringify(right), 'text/plain')).status).toBe(415);
    expect((await post(runA.token, 'a=1', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await post(runA.token, JSON.stringify(right), 'application/json-patch+json')).status).toBe(415);
    expect((await post(runA.token, JSON.stringify(right), null)).status).toBe(415);
    expect((await post(runA.token, undefined, 'text/plain')).status).toBe(415);
    expect((await post(runA.token, '{"code":200,"data":{"task_id":', 'application/json')).status).toBe(400);
    expect((await post(runA.token, undefined, 'application/json')).status).toBe(400);
    expect((await post(runA.token, '{"__proto__":{"polluted":true}}', 'application/json')).status).toBe(400);
    expect((await post(runA.token, { code: 200, data: { callbackType: 'SECRET-CALLBACK-TYPE-7731' } })).status).toBe(400);
    expect((await post(runA.token, [1, 2, 3])).status).toBe(400);
    const huge = { ...right, padding: 'x'.repeat(CALLBACK_BODY_LIMIT_BYTES) };
    const tooLarge = await post(runA.token, huge);
    expect(tooLarge.status).toBe(413);
    // JSON with or without a charset, in any letter case.
    expect((await post(runA.token, anyintCallback('foreign-1'), 'application/json; charset=utf-8')).status).toBe(200);
    expect((await post(runA.token, anyintCallback('foreign-2'), 'Application/JSON')).status).toBe(200);
    await eventually(async () => ((await observe(runA)).hints.received === before.hints.received + 2 ? true : undefined));
    await settled(runA);
    const after = await observe(runA);
    // Only the two well-formed (foreign) hints arrived, and both were ignored.
    expect(after.hints).toEqual({ received: before.hints.received + 2, ignored: before.hints.ignored + 2 });
    expect(after.lookActivities).toBe(before.lookActivities);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Body content never reaches the log.
    expect(logLines.filter((line) => line.includes('SECRET-CALLBACK-TYPE-7731'))).toEqual([]);
  });

  it('answers 405 to other methods and 404 to other paths', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(`${endpoint.url}/callbacks/${runA.token}`, { method });
      expect({ method, status: response.status }).toEqual({ method, status: 405 });
      expect(response.headers.get('allow')).toBe('POST');
    }
    expect((await fetch(`${endpoint.url}/callback/${runA.token}`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${endpoint.url}/`)).status).toBe(404);
  });

  it('answers 410 for a closed run', async () => {
    const closed = await startRun('cb-run-closed');
    await closed.handle.terminate('test: the run is over');
    const answer = await post(closed.token, anyintCallback(closed.task.taskId));
    expect(answer.status).toBe(410);
    expect(answer.ms).toBeLessThan(1000);
  });

  it('answers 503 quickly when Temporal is unreachable, and stays healthy', async () => {
    const unreachable = Connection.lazy({ address: `127.0.0.1:${await closedPort()}` });
    const lonely = await startCallbackEndpoint({ client: new Client({ connection: unreachable }), secret: SECRET, port: 0 });
    try {
      const answer = await post(runA.token, anyintCallback(runA.task.taskId), 'application/json', lonely.url);
      expect(answer.status).toBe(503);
      expect(answer.ms).toBeLessThan(CALLBACK_SIGNAL_TIMEOUT_MS + 1000);
      console.log(`unreachable Temporal answered 503 in ${answer.ms.toFixed(0)} ms`);
      expect((await fetch(`${lonely.url}/healthz`)).status).toBe(200);
      expect(lonely.stats.unavailable).toBe(1);
    } finally {
      await lonely.close();
      // Not closed: the client's own retry of the abandoned signal fires after the endpoint has
      // answered, and a closed channel would throw from inside its timer. The process ends it.
      void unreachable;
    }
  });

  it('keeps answering real callbacks in milliseconds under a flood of forged ones', async () => {
    const before = await observe(runA);
    const forged = signCallbackToken('a-forger-guessing-the-secret-000', { workflowId: runA.handle.workflowId, stepId: 'song', provider: 'anyint', expiresAt: new Date(Date.now() + 60_000) });
    const body = JSON.stringify(anyintCallback(runA.task.taskId));
    let forgedAnswers = 0;
    const started = performance.now();
    const flood = Array.from({ length: 50 }, async () => {
      for (let i = 0; i < 40; i++) {
        const answer = await post(forged, body);
        expect(answer.status).toBe(401);
        forgedAnswers++;
      }
    });
    const real: Answer[] = [];
    for (let i = 0; i < 10; i++) real.push(await post(runA.token, anyintCallback(`foreign-under-load-${i}`)));
    await Promise.all(flood);
    const seconds = (performance.now() - started) / 1000;
    console.log(`flood: ${forgedAnswers} forged callbacks refused in ${seconds.toFixed(2)} s; real ones answered in ${real.map((a) => a.ms.toFixed(0)).join(', ')} ms`);
    expect(real.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(Math.max(...real.map((a) => a.ms))).toBeLessThan(3000);
    await eventually(async () => ((await observe(runA)).hints.received === before.hints.received + 10 ? true : undefined));
    await settled(runA);
    const after = await observe(runA);
    expect(after.hints.ignored).toBe(before.hints.ignored + 10);
    expect(after.lookActivities).toBe(before.lookActivities);
    expect((await fetch(`${endpoint.url}/healthz`)).status).toBe(200);
    // The flood is logged in a few summary lines, not one line per forgery.
    expect(logLines.filter((line) => line.startsWith('callback refused')).length).toBeLessThan(20);
  });

  it('never logs a token or the secret', () => {
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(runA.token);
      expect(line).not.toContain(runB.token);
      expect(line).not.toContain(runA.token.split('.')[1]!);
    }
  });
});
