// A worker process restarted by the chaos kit (or a supervisor) loads one prebuilt workflow bundle
// (WORKFLOW_BUNDLE) instead of bundling at every start. Seed turn2 spent most of its wall time here:
// each worker after a kill bundled the workflows again (about a minute and a half on a loaded
// machine), so most kills hit a worker that had not served yet and the albums waited for minutes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWorkflowBundle } from '../chaos/albumPhase';
import { startWorkerProcess, type WorkerProcess, type WorkerProcessOptions } from '../chaos/workerProcess';
import { connectClient } from '../client/connect';
import { acquireSlotSignal, slotsQuery, type SlotRequest, type SlotsState } from '../contracts/providerSlots';
import { startDevServer, type DevServer } from '../runtime/devServer';

let scratch: string;
let server: DevServer | undefined;
let worker: WorkerProcess | undefined;
let spare: WorkerProcess | undefined;
let bundle: string | undefined;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'worker-bundle-'));
  server = await startDevServer({ port: 0, ui: false, dbFile: path.join(scratch, 'temporal.db') });
});

afterAll(async () => {
  await worker?.kill();
  await spare?.kill();
  await server?.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** A worker process on `taskQueue` that loads `workflowBundle`, its output lines collected in `output`. */
function startBundledWorker(taskQueue: string, workflowBundle: string, output: string[], extra: Partial<WorkerProcessOptions> = {}): WorkerProcess {
  return startWorkerProcess({
    temporalAddress: server!.address,
    taskQueue,
    simulatorUrl: 'http://127.0.0.1:9',
    callbackPublicUrl: 'http://127.0.0.1:9',
    callbackSecret: 'bundle-test-secret-bundle-test-secret',
    env: { WORKFLOW_BUNDLE: workflowBundle },
    onStdoutLine: (line) => output.push(line),
    onStderrLine: (line) => output.push(line),
    ...extra,
  });
}

describe('worker process with a prebuilt workflow bundle', () => {
  it('serves workflows without bundling them again at start', async () => {
    bundle = await writeWorkflowBundle(path.join(scratch, 'workflow-bundle.js'));
    const output: string[] = [];
    const taskQueue = 'prebuilt-bundle';
    worker = startBundledWorker(taskQueue, bundle, output);
    const started = await Promise.race([worker.ready.then(() => 'ready'), worker.exited.then((exit) => `exited ${exit.code ?? exit.signal}`)]);
    expect(started, output.join('\n')).toBe('ready');
    // The SDK logs "Workflow bundle created" (and webpack's report) whenever it bundles.
    expect(output.filter((line) => /bundle created|webpack/i.test(line))).toEqual([]);

    // Workflow code from the bundle answers: the provider semaphore takes a request and shows it.
    const client = await connectClient({ address: server!.address });
    try {
      const initial: SlotsState = { provider: 'anyint', limit: 1, holders: [], waiting: [] };
      const handle = await client.workflow.signalWithStart('providerSlots', {
        workflowId: 'slots-from-bundle',
        taskQueue,
        args: [initial],
        signal: acquireSlotSignal,
        signalArgs: [{ requester: 'no-such-run', stepId: 'song', limit: 1, leaseMs: 60_000 } satisfies SlotRequest],
      });
      const state = await handle.query(slotsQuery);
      expect(state.provider).toBe('anyint');
      await handle.terminate('test done');
    } finally {
      await client.connection.close();
    }
  }, 240_000);

  it('a spare stands by without taking tasks, and polls once activated', async () => {
    const output: string[] = [];
    const taskQueue = 'warm-spare';
    spare = startBundledWorker(taskQueue, bundle ?? (await writeWorkflowBundle(path.join(scratch, 'workflow-bundle.js'))), output, { standby: true });
    await expect.poll(() => output.some((line) => line.startsWith('worker standing by')), { timeout: 120_000, interval: 200 }).toBe(true);
    const client = await connectClient({ address: server!.address });
    try {
      const initial: SlotsState = { provider: 'anyint', limit: 1, holders: [], waiting: [] };
      const handle = await client.workflow.start('providerSlots', { workflowId: 'slots-for-the-spare', taskQueue, args: [initial] });
      // Standing by: nothing polls the queue, so a query finds no worker to answer it.
      await expect(client.withDeadline(Date.now() + 3_000, () => handle.query(slotsQuery))).rejects.toThrow();
      expect(spare.isRunning()).toBe(true);
      const activatedAt = Date.now();
      await spare.activate();
      await spare.ready;
      const state = await handle.query(slotsQuery);
      expect(state.provider).toBe('anyint');
      // Already loaded and connected: polling follows the activation at once, not after a start-up.
      expect(Date.now() - activatedAt).toBeLessThan(10_000);
      expect(spare.isRunning()).toBe(true);
      await handle.terminate('test done');
    } finally {
      await client.connection.close();
    }
  }, 240_000);
});
