// Faults with real processes. Never lose a run, never pay twice: the worker is a separate process that is
// killed with SIGKILL at random moments during an album and started again. The album completes, and
// the simulator's ledger shows no step submitted (paid for) twice. With the callback endpoint down,
// polling alone finishes the steps.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAttentionOperator } from '../chaos/attentionOperator';
import { callbackUrlOf, namePaidSubmits, paidMoreThanOnce } from '../chaos/paidSubmits';
import { startWorkerProcess, type WorkerProcess } from '../chaos/workerProcess';
import { startDevServer, type DevServer } from '../runtime/devServer';
import { SIMULATOR_API_KEY } from '../workers/workerDeps';
import { startSimulator, type RunningSimulator } from '../simulator';
import { startCallbackEndpoint, type CallbackEndpoint } from '../callbacks/callbackEndpoint';
import type { AlbumPipelineResult } from '../contracts/albumPipeline';
import type { SongPipelineInput, SongPipelineResult } from '../contracts/songPipeline';
import { threeTrackFaultAlbum } from './helpers/faultAlbum';
import { MUSIC_SEARCH_ATTRIBUTES } from '../contracts/searchAttributes';
import { startOrAttach } from '../client/runs';
import { workflowTaskTimesOf } from '../client/workflowTaskTimes';
import { songPipeline } from '../song/songPipeline';
import proto from '@temporalio/proto';

const { temporal } = proto;

const SECRET = 'fault-test-secret-fault-test-secret';
const TASK_QUEUE = 'fault-tests';

let scratch: string;
let server: DevServer;
let connection: Connection;
let client: Client;
let simulator: RunningSimulator;
let endpoint: CallbackEndpoint;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'faults-'));
  server = await startDevServer({ port: 0, ui: false, dbFile: path.join(scratch, 'temporal.db'), searchAttributes: MUSIC_SEARCH_ATTRIBUTES });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  simulator = await startSimulator({ apiKey: SIMULATOR_API_KEY, stageDelaysMs: { text: 400, first: 800, complete: 1200 }, clipSeconds: 4, stateDir: path.join(scratch, 'sim'), seed: 'faults' });
  endpoint = await startCallbackEndpoint({ client, secret: SECRET, port: 0 });
});

afterAll(async () => {
  await endpoint?.close().catch(() => {});
  await simulator?.close();
  await connection?.close();
  await server?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function startWorker(): WorkerProcess {
  return startWorkerProcess({
    temporalAddress: server.address,
    taskQueue: TASK_QUEUE,
    simulatorUrl: simulator.url,
    callbackPublicUrl: endpoint.url,
    callbackSecret: SECRET,
  });
}

describe('faults with real processes', () => {
  it('completes the album with no paid submit made twice', async () => {
    const albumId = 'fault-album';
    const input = threeTrackFaultAlbum(albumId, 'Fault Album', path.join(scratch, 'out'));
    const handle = await client.workflow.start('albumPipeline', { taskQueue: TASK_QUEUE, workflowId: `album-${albumId}`, args: [input] });
    const done = handle.result().then((r: AlbumPipelineResult) => r);
    let finished = false;
    void done.finally(() => (finished = true)).catch(() => {});

    // A kill between sending a submit and recording its answer leaves the outcome unknown: the step
    // then waits for an operator, who finds the task in the provider's records (here the ledger).
    const operator = startAttentionOperator({
      client,
      workflowIds: [`album-${albumId}`, ...input.tracks.map((t) => `album-${albumId}-t0${t.number}`)],
      ledger: simulator.ledger,
      secret: SECRET,
    });

    let worker = startWorker();
    let kills = 0;
    // Bounded chaos: a few kills at random moments, then the worker is left to finish.
    for (let i = 0; i < 3 && !finished; i++) {
      await new Promise((r) => setTimeout(r, 4_000 + Math.random() * 4_000));
      if (finished) break;
      await worker.kill();
      kills++;
      worker = startWorker();
    }
    let result: AlbumPipelineResult;
    try {
      result = await done;
    } finally {
      await operator.stop();
      await worker.kill();
    }
    console.log(`worker killed ${kills} times; ${operator.resolutions} unknown submit(s) resolved from the provider's records`);
    expect(kills).toBeGreaterThan(0);
    expect(result.status).toBe('succeeded');

    // Every paid submit names its run and step in its callback token: none may appear twice.
    const paid = namePaidSubmits(simulator.ledger, SECRET);
    expect(paid.filter((k) => k.startsWith('unsigned '))).toEqual([]);
    expect(paidMoreThanOnce(simulator.ledger, SECRET)).toEqual([]);
    expect(paid.filter((k) => k.endsWith('/song'))).toHaveLength(3);
  }, 240_000);

  it('gives a workflow task that a dead worker held to the next worker once the task times out', async () => {
    // The queue the album above used: the provider's semaphore lives there, and a song on another
    // queue would wait for its slot on a queue nobody serves.
    const queue = TASK_QUEUE;
    const input: SongPipelineInput = {
      provider: 'anyint',
      request: { prompt: 'a song whose first worker froze', instrumental: false },
      steps: ['lyrics'],
      outDir: path.join(scratch, 'out', 'held-task'),
      callbacks: true,
    };
    // Started as the song command starts it, with no worker on the queue yet.
    const { handle } = await startOrAttach({ client, taskQueue: queue }, songPipeline, { workflowId: 'held-task', args: [input] });
    // A worker that takes the run's first task and is never heard from again (SIGKILL, a frozen VM).
    // A long poll needs a deadline of its own. A task of the semaphore's may come first: it is held
    // too, and times out like the song's.
    let heldId: string | null | undefined;
    for (let polls = 0; polls < 5 && heldId !== 'held-task'; polls++) {
      const held = await client.withDeadline(Date.now() + 30_000, () =>
        client.workflowService.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: queue }, identity: 'a worker about to die' }),
      );
      heldId = held.workflowExecution?.workflowId;
    }
    expect(heldId).toBe('held-task');
    const worker = startWorkerProcess({ temporalAddress: server.address, taskQueue: queue, simulatorUrl: simulator.url, callbackPublicUrl: endpoint.url, callbackSecret: SECRET });
    try {
      const result: SongPipelineResult = await handle.result();
      expect(result.status).toBe('succeeded');
    } finally {
      await worker.kill();
    }
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.find((e) => e.workflowTaskStartedEventAttributes)?.workflowTaskStartedEventAttributes?.identity).toBe('a worker about to die');
    // The held task timed out (start to close) and the next worker took the run on from there.
    const timedOut = events.filter((e) => e.workflowTaskTimedOutEventAttributes);
    expect(timedOut.map((e) => e.workflowTaskTimedOutEventAttributes?.timeoutType)).toEqual([temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE]);
    // The chaos table's "workflow tasks a killed worker held" row reads it the same way: the run
    // stood still for the whole task timeout (the server's 10 s; see README, "Faults and chaos").
    const times = workflowTaskTimesOf([events]);
    expect(times.lostWithWorker.count).toBe(1);
    expect(times.lostWithWorker.waitedMs).toBeGreaterThanOrEqual(9_900);
  }, 120_000);

  it('completes a song by polling alone while the callback endpoint is down', async () => {
    await endpoint.close();
    const signalledBefore = endpoint.stats.signalled;
    const worker = startWorker();
    try {
      const input: SongPipelineInput = {
        provider: 'anyint',
        request: { prompt: 'a song while nobody listens for webhooks', instrumental: false },
        steps: ['lyrics', 'song'],
        outDir: path.join(scratch, 'out', 'endpoint-down'),
        callbacks: true,
      };
      const handle = await client.workflow.start('songPipeline', { taskQueue: TASK_QUEUE, workflowId: 'endpoint-down', args: [input] });
      const result: SongPipelineResult = await handle.result();
      expect(result.status).toBe('succeeded');
      expect(endpoint.stats.signalled).toBe(signalledBefore);
      // The provider did try to call back, and gave up: polling finished every step.
      expect(simulator.ledger.filter((e) => callbackUrlOf(e.body) !== undefined).length).toBeGreaterThan(0);
    } finally {
      await worker.kill();
    }
  }, 120_000);
});
