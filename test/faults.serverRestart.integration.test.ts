// Faults with real processes: the Temporal server itself goes away mid-album and comes back on the
// same address with its data kept (a dev server restarted, a host rebooted, a network cut). The
// worker process, the callback endpoint and this client are left running through it, untouched:
// nobody restarts anything but the server. The album completes, no step is paid for twice, and
// every track's files are on disk as the result lists them.
//
// Measured while the server is down (see the report printed by the test): the worker process
// stays up, its task polls retry with backoff (the SDK retries polls for as long as the server is
// unreachable, 90 s tried) and it picks up work again as soon as the server answers; completions
// it could not report are retried by the server after their timeouts. The callback endpoint
// answers 503 (by design: providers redeliver, polling covers the gap). This client's result()
// gives up after about 20 s of outage; waiting again attaches to the same run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile } from '../artifacts/atomicFile';
import { startAttentionOperator } from '../chaos/attentionOperator';
import { namePaidSubmits, paidMoreThanOnce } from '../chaos/paidSubmits';
import { startWorkerProcess, type WorkerProcess } from '../chaos/workerProcess';
import { resultThroughOutages } from '../client/runResult';
import { startDevServer, type DevServer } from '../runtime/devServer';
import { SIMULATOR_API_KEY } from '../workers/workerDeps';
import { startSimulator, type RunningSimulator } from '../simulator';
import { startCallbackEndpoint, type CallbackEndpoint } from '../callbacks/callbackEndpoint';
import type { AlbumPipelineResult } from '../contracts/albumPipeline';
import { threeTrackFaultAlbum } from './helpers/faultAlbum';
import { MUSIC_SEARCH_ATTRIBUTES } from '../contracts/searchAttributes';

const SECRET = 'fault-test-secret-fault-test-secret';
const TASK_QUEUE = 'fault-tests-server-restart';
/** Long enough that every part notices (polls, heartbeats, webhooks fail), short enough for `npm test`. */
const DOWNTIME_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let scratch: string;
/** Undefined while it is down, so afterAll never stops a server twice. */
let server: DevServer | undefined;
let connection: Connection;
let client: Client;
let simulator: RunningSimulator;
let endpoint: CallbackEndpoint;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'faults-restart-'));
  // Port 0 is resolved once; startAgain() comes back on the same port, so every client's address stays valid.
  server = await startDevServer({ port: 0, ui: false, dbFile: path.join(scratch, 'temporal.db'), searchAttributes: MUSIC_SEARCH_ATTRIBUTES });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  simulator = await startSimulator({
    apiKey: SIMULATOR_API_KEY,
    stageDelaysMs: { text: 400, first: 800, complete: 1200 },
    clipSeconds: 4,
    stateDir: path.join(scratch, 'sim'),
    seed: 'faults-restart',
  });
  endpoint = await startCallbackEndpoint({ client, secret: SECRET, port: 0 });
});

afterAll(async () => {
  await worker?.kill();
  await endpoint?.close().catch(() => {});
  await simulator?.close();
  await connection?.close();
  await server?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});


describe('faults with real processes: the Temporal server', () => {
  it('stopped and started again mid-album (its data kept): the album completes', async () => {
    const albumId = 'restart-album';
    const input = threeTrackFaultAlbum(albumId, 'Restart Album', path.join(scratch, 'out'));

    // What happened when, printed at the end: the point of this test is also to show how each part behaves.
    const started = Date.now();
    const timeline: string[] = [];
    const note = (line: string) => timeline.push(`${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  ${line}`);
    const workerErrors: string[] = [];
    worker = startWorkerProcess({
      temporalAddress: server!.address,
      taskQueue: TASK_QUEUE,
      simulatorUrl: simulator.url,
      callbackPublicUrl: endpoint.url,
      callbackSecret: SECRET,
      // Kept for the failure message: a worker that dies says why on stderr.
      onStderrLine: (line) => workerErrors.push(line),
    });
    void worker.exited.then((exit) => note(`worker process exited (${exit.signal ?? `code ${exit.code}`})`));

    const handle = await client.workflow.start('albumPipeline', { taskQueue: TASK_QUEUE, workflowId: `album-${albumId}`, args: [input] });
    const done = resultThroughOutages<AlbumPipelineResult>(handle, { onOutage: (err) => note(`result() gave up (${err.message}); waiting again`) });
    // A submit cut off by the outage (sent, answer never recorded) waits for an operator, like a killed worker's.
    const operator = startAttentionOperator({
      client,
      workflowIds: [`album-${albumId}`, ...input.tracks.map((t) => `album-${albumId}-t0${t.number}`)],
      ledger: simulator.ledger,
      secret: SECRET,
      log: (line) => note(`operator: ${line}`),
    });

    let result: AlbumPipelineResult;
    try {
      // Down in the middle of real work: once a song is paid for and rendering, its webhooks and
      // the worker's polls and heartbeats all meet a missing server.
      const firstSong = Date.now();
      while (!namePaidSubmits(simulator.ledger, SECRET).some((step) => step.endsWith('/song'))) {
        if (Date.now() - firstSong > 60_000) throw new Error('no song was submitted within 60 s');
        await sleep(100);
      }
      const running = server!;
      server = undefined;
      await running.stop();
      note(`server stopped; ${simulator.ledger.length} submits paid so far`);
      await sleep(DOWNTIME_MS);
      note(`server down ${DOWNTIME_MS / 1000} s; worker process running: ${worker.isRunning()}; callbacks answered 503: ${endpoint.stats.unavailable}`);
      server = await running.startAgain();
      note('server started again on the same address and database');
      result = await done;
      note(`album ${result.status}; ${simulator.ledger.length} submits paid; callbacks signalled ${endpoint.stats.signalled}, answered 503 ${endpoint.stats.unavailable}`);
    } finally {
      await operator.stop();
      console.log(timeline.join('\n'));
    }

    expect(worker.isRunning(), `the worker process died:\n${workerErrors.slice(-20).join('\n')}`).toBe(true);
    expect(result.status).toBe('succeeded');
    expect(paidMoreThanOnce(simulator.ledger, SECRET)).toEqual([]);
    expect(namePaidSubmits(simulator.ledger, SECRET).filter((step) => step.endsWith('/song'))).toHaveLength(3);

    // Every file the result lists is on disk, whole: downloaded, and the same bytes the run recorded.
    expect(result.tracks.map((t) => t.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    for (const track of result.tracks) {
      const artifacts = track.result?.artifacts ?? [];
      expect(artifacts.map((a) => a.kind)).toEqual(expect.arrayContaining(['lyrics', 'audio', 'wav']));
      for (const file of [...artifacts, ...(track.tagged ? [track.tagged] : [])]) {
        expect((await hashFile(file.path)).sha256, file.path).toBe(file.sha256);
      }
    }
    for (const file of result.files) expect((await hashFile(file.path)).sha256, file.path).toBe(file.sha256);
  }, 120_000);
});
