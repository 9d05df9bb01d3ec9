// One phase of a chaos run: a stack of its own (dev server with its own database, simulator, callback
// endpoint, worker process) making a set of albums, either calmly (the baseline) or while everything
// around it fails: provider faults and webhook faults from the simulator, the worker killed with
// SIGKILL, the dev server stopped and started again, and forged callbacks at the endpoint. An
// operator loop resolves unknown submits from the provider's records, as a person on call would.
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../workers/worker';
import { startSimulator, type FaultCounts, type FaultOptions, type StageDelaysMs } from '../simulator';
import { startCallbackEndpoint, type CallbackStats } from '../callbacks/callbackEndpoint';
import { albumWorkflowId, trackWorkflowId, type AlbumPipelineInput, type AlbumPipelineResult } from '../contracts/albumPipeline';
import { albumPipeline } from '../album/albumPipeline';
import { PROVIDER_NAMES } from '../providers/model';
import { MUSIC_SEARCH_ATTRIBUTES } from '../contracts/searchAttributes';
import { startDevServer, type DevServer } from '../runtime/devServer';
import { makeFolder } from '../runtime/makeFolder';
import { connectClient } from '../client/connect';
import { everyRunHistory, replayEveryRun, type ReplayCheck } from './replayCheck';
import { workflowTaskTimesOf, type WorkflowTaskTimes } from '../client/workflowTaskTimes';
import { peakRunsInFlight } from './songsInFlight';
import { resultsByDeadline } from '../client/runResult';
import { SIMULATOR_API_KEY } from '../workers/workerDeps';
import { startAttentionOperator } from './attentionOperator';
import { FORGERY_KINDS, sendForgery, type ForgeryOutcome } from './callbackForger';
import { callbackUrlOf, judgeUnsignedRepeats, paidMoreThanOnce } from './paidSubmits';
import { startWorkerProcess, type WorkerProcess } from './workerProcess';

export interface Disruptions {
  /** Most worker SIGKILLs; they stop when the albums are done. */
  kills: number;
  /** Most dev-server stop/start cycles. */
  restarts: number;
  /** Forged callbacks to send over the run. */
  forgeries: number;
  faults: FaultOptions;
}

export interface PhaseOptions {
  name: string;
  workDir: string;
  albums: AlbumPipelineInput[];
  seed: string;
  stageDelaysMs: StageDelaysMs;
  clipSeconds: number;
  secret: string;
  /** Undefined: the calm baseline. */
  disruptions?: Disruptions;
  /**
   * A prebuilt workflow bundle for the worker processes; without one the phase builds its own. A
   * worker that bundles at every start spends seconds to minutes before it serves, and a run whose
   * worker is killed again and again would spend its time bundling instead of working.
   */
  workflowBundle?: string;
  /** Per-request provider timeout for the worker: how soon a hung submit counts as unknown. */
  providerTimeoutMs: number;
  /** Extra environment for every worker process (e.g. `ANYINT_MAX_RUNNING_TASKS` at scale). */
  workerEnv?: Record<string, string>;
  /**
   * Replace a killed worker with a spare kept warm (its code loaded: it only has to connect and start
   * polling), as a supervisor with a standby replica would; false starts each one cold, as a plain
   * restart does. Cold starts take 2-3 s on an idle machine and over 15 s at a load of 12, and ten
   * kills spent that many times without a worker.
   */
  warmSpare?: boolean;
  /**
   * Worker processes serving the queue at once (default 1). Each kill takes one of them; with more
   * than one, the others go on serving, as in a deployment that runs two for that reason.
   */
  workers?: number;
  timeoutMs: number;
  log: (line: string) => void;
}

export interface PhaseReport {
  outDir: string;
  wallMs: number;
  /** Every run of the phase replayed against the code that ran it (see replayCheck). */
  replay: ReplayCheck;
  /** Where the runs stood still waiting on dead workers, over every run of the phase. */
  workflowTasks: WorkflowTaskTimes;
  albums: { albumId: string; status: string; tracks: { number: number; state: string; attempts: number }[]; error?: string }[];
  kills: number;
  restarts: number;
  /** Worker processes that ended without being killed by us (a crash would show here). */
  unexpectedWorkerExits: number;
  faults: FaultCounts;
  forgeries: ForgeryOutcome[];
  endpoint: CallbackStats;
  paidSubmits: number;
  /** Steps paid for twice, and unsigned requests repeated, that nobody chose to buy again. */
  paidTwice: string[];
  /**
   * Answers an operator bought again knowingly: a route that answers in the submit itself lost its
   * answer and keeps no record to read it back from (see attentionOperator).
   */
  knowinglyRebought: string[];
  attentionResolved: number;
  /** The most tracks running at once (lyrics or a song attempt), sampled from the albums' progress every second. */
  peakTracksInFlight: number;
  /**
   * How busy this process was: it hosts the simulator (and its ffmpeg renders' bookkeeping), the
   * callback endpoint and the operator. A long event-loop delay here means the simulator, not the
   * code under test, set the pace.
   */
  harness: { cpuSeconds: number; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number };
  /** Each worker process's time from start to polling its queue (ms), in start order. */
  workerStartupsMs: number[];
  /** Whether killed workers were replaced by a warm spare (see warmSpare). */
  warmSpare: boolean;
  /** Time (ms) with no worker polling at all, after kills and exits: the runs had no worker then. */
  withoutWorkerMs: number;
  /** Worker processes serving at once. */
  workers: number;
  /** The machine's 1-minute load average over the phase (mean and highest, sampled every second): on a shared machine the wall times mean little without it. */
  loadAverage: { mean: number; max: number };
}

function withoutProviderKeys(): Record<string, undefined> {
  return Object.fromEntries(PROVIDER_NAMES.flatMap((name) => [`${name.toUpperCase()}_BASE_URL`, `${name.toUpperCase()}_API_KEY`]).map((name) => [name, undefined]));
}

const FORGERY_SPACING_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (low: number, high: number) => low + Math.random() * (high - low);

export async function runAlbumPhase(options: PhaseOptions): Promise<PhaseReport> {
  const { log, disruptions } = options;
  const dir = path.join(options.workDir, options.name);
  const outDir = path.join(dir, 'out');
  await makeFolder(dir);
  const started = Date.now();
  // Durations by the monotonic clock: this machine's wall clock has jumped by minutes mid-run, and a
  // faulted run measured across a jump looked many times slower than it was.
  const startedAt = performance.now();
  const cleanups: (() => Promise<unknown>)[] = [];
  const cpuBefore = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  cleanups.push(async () => loopDelay.disable());

  try {
    let server: DevServer = await startDevServer({ port: 0, ui: false, dbFile: path.join(dir, 'temporal.db'), searchAttributes: MUSIC_SEARCH_ATTRIBUTES, log: () => {} });
    cleanups.push(() => server.stop());
    const client = await connectClient({ address: server.address });
    cleanups.push(() => client.connection.close());
    const simulator = await startSimulator({
      apiKey: SIMULATOR_API_KEY,
      seed: options.seed,
      stageDelaysMs: options.stageDelaysMs,
      clipSeconds: options.clipSeconds,
      stateDir: path.join(dir, 'simulator'),
      faults: disruptions?.faults,
    });
    cleanups.push(() => simulator.close());
    const endpoint = await startCallbackEndpoint({ client, secret: options.secret, port: 0 });
    cleanups.push(() => endpoint.close());
    const workflowBundle = options.workflowBundle ?? (await writeWorkflowBundle(path.join(dir, 'workflow-bundle.js')));

    // A queue of its own: no worker of another run (or a stray one) can take this phase's tasks.
    const taskQueue = `chaos-${options.name}-${process.pid}-${started}`;
    // Every worker's output in one file of the phase's folder (kept with --keep): after a failed run
    // it is what tells which activity was cut where.
    const workerLog = createWriteStream(path.join(dir, 'worker.log'), { flags: 'a' });
    cleanups.push(() => new Promise((resolve) => workerLog.end(resolve)));
    let workerNumber = 0;
    let unexpectedWorkerExits = 0;
    const workerStartupsMs: number[] = [];
    let withoutWorkerMs = 0;
    let lostWorkerAt: number | undefined;
    let polling = 0;
    const startWorker = (standby = false): WorkerProcess => {
      const number = ++workerNumber;
      let spawnedAt = performance.now();
      const writeLine = (line: string) => workerLog.write(`${new Date().toISOString()} w${number} ${line}\n`);
      const child = startWorkerProcess({
        onStderrLine: writeLine,
        onStdoutLine: writeLine,
        temporalAddress: server.address,
        taskQueue,
        simulatorUrl: simulator.url,
        callbackPublicUrl: endpoint.url,
        callbackSecret: options.secret,
        standby,
        // Every provider is played by the simulator, whatever keys this shell has: chaos must never reach a real, paid API.
        // The phase's own data folder: its workers share what they learn of task durations, as a
        // restarted worker does, without writing into the user's own data folder.
        env: { ...withoutProviderKeys(), MUSIC_DATA_DIR: path.join(dir, 'worker-data'), PROVIDER_TIMEOUT_MS: String(options.providerTimeoutMs), WORKFLOW_BUNDLE: workflowBundle, ...options.workerEnv },
      });
      // A spare's start-up counts from its activation: until then it was not needed.
      const worker: WorkerProcess = {
        ...child,
        activate: () => {
          spawnedAt = performance.now();
          return child.activate();
        },
      };
      let wasPolling = false;
      void worker.ready.then(() => {
        const now = performance.now();
        wasPolling = true;
        polling++;
        workerStartupsMs.push(now - spawnedAt);
        if (lostWorkerAt !== undefined) withoutWorkerMs += now - lostWorkerAt;
        lostWorkerAt = undefined;
      });
      void worker.exited.then((exit) => {
        if (worker === spare) {
          // A spare that died was never serving: the run lost nothing, but the next kill needs another.
          if (exit.signal !== 'SIGKILL') unexpectedWorkerExits++;
          spare = undefined;
          return;
        }
        if (wasPolling) polling--;
        if (polling === 0) lostWorkerAt ??= performance.now();
        if (exit.signal !== 'SIGKILL') {
          unexpectedWorkerExits++;
          log(`${options.name}: a worker exited by itself (${exit.code ?? exit.signal}); starting another`);
          const place = serving.indexOf(worker);
          if (!finished && place >= 0) serving[place] = replacement();
        }
      });
      return worker;
    };
    let spare: WorkerProcess | undefined;
    const warmSpare = options.warmSpare !== false && disruptions !== undefined && disruptions.kills > 0;
    /**
     * A new spare, once `serving` polls. A supervisor's standby replica starts on a machine of its
     * own; here it shares two cores with the worker it stands behind, and starting both at once
     * slowed the one that serves (it is replaying every run it took over) by seconds per kill.
     */
    const spareBehind = (serving: WorkerProcess): void => {
      spare = undefined;
      if (!warmSpare) return;
      void Promise.race([serving.ready, serving.exited]).then(() => {
        if (!finished && spare === undefined) spare = startWorker(true);
      });
    };
    /** The spare if one stands by (and a new spare behind it), else a cold start. */
    const replacement = (): WorkerProcess => {
      const next = spare ?? startWorker();
      spareBehind(next);
      void next.activate();
      return next;
    };
    let finished = false;
    const workers = Math.max(1, options.workers ?? 1);
    const serving: WorkerProcess[] = Array.from({ length: workers }, () => startWorker());
    spareBehind(serving[0]!);
    cleanups.push(() => Promise.all(serving.map((worker) => worker.kill())));
    cleanups.push(async () => void (await spare?.kill()));

    const handles = await Promise.all(
      options.albums.map((input) =>
        client.workflow.start(albumPipeline, {
          taskQueue,
          workflowId: albumWorkflowId(input.albumId),
          // analysis off: tempo and key cost CPU (librosa) and no credits, and would measure the machine, not the guarantees.
          args: [{ ...input, analysis: false, outDir: path.join(outDir, input.albumId), tracks: input.tracks.map((t) => ({ ...t, outDir: path.join(outDir, input.albumId, path.basename(t.outDir)) })) }],
        }),
      ),
    );
    log(`${options.name}: ${handles.length} album(s) started`);
    const trackIds = options.albums.flatMap((a) => a.tracks.map((t) => trackWorkflowId(a.albumId, t.number)));
    const runIds = () => [...options.albums.map((a) => albumWorkflowId(a.albumId)), ...trackIds];
    const operator = startAttentionOperator({
      client,
      workflowIds: runIds,
      ledger: simulator.ledger,
      secret: options.secret,
      log: (line) => log(`${options.name}: operator: ${line}`),
    });
    cleanups.push(() => operator.stop());

    // The machine's load while the albums run, to read the wall time against.
    const loads: number[] = [];
    const sampling = (async () => {
      while (!finished) {
        loads.push(loadavg()[0] ?? 0);
        await sleep(1_000);
      }
    })();

    let kills = 0;
    let restarts = 0;
    const forgeries: ForgeryOutcome[] = [];
    const chaos: Promise<void>[] = [];
    if (disruptions) {
      chaos.push(
        (async () => {
          while (!finished && kills < disruptions.kills) {
            // Each kill hits a worker that was serving: killing one still starting would only
            // starve the run (no activity in flight to lose) and measure start-up time, not recovery.
            // With several workers, any one of them.
            const place = Math.floor(Math.random() * serving.length);
            await untilServing(() => serving[place]!, () => finished);
            await sleep(between(4_000, 9_000));
            if (finished) break;
            await serving[place]!.kill();
            kills++;
            log(`${options.name}: worker killed (SIGKILL) ${kills}/${disruptions.kills}`);
            // A supervisor (systemd, Kubernetes) brings a new one up after a moment.
            await sleep(between(300, 2_000));
            serving[place] = replacement();
          }
        })(),
        (async () => {
          while (!finished && restarts < disruptions.restarts) {
            await sleep(between(10_000, 18_000));
            if (finished) break;
            await server.stop();
            const downMs = between(3_000, 6_000);
            log(`${options.name}: dev server stopped for ${(downMs / 1000).toFixed(1)} s`);
            await sleep(downMs);
            server = await server.startAgain();
            restarts++;
            log(`${options.name}: dev server started again ${restarts}/${disruptions.restarts}`);
          }
        })(),
        (async () => {
          const seenCallbackUrls = () => simulator.ledger.map((entry) => callbackUrlOf(entry.body)).filter((url): url is string => url !== undefined);
          // Forgers who saw a real URL need one to exist: start once the first submit has gone out,
          // then spread the forgeries over the time the albums usually take.
          while (!finished && seenCallbackUrls().length === 0) await sleep(200);
          for (let i = 0; i < disruptions.forgeries && !finished; i++) {
            const kind = FORGERY_KINDS[i % FORGERY_KINDS.length] ?? 'made-up-token';
            forgeries.push(await sendForgery({ endpointUrl: endpoint.url, seenCallbackUrls, secret: options.secret }, kind));
            await sleep(FORGERY_SPACING_MS);
          }
        })(),
      );
    }

    const deadline = Date.now() + options.timeoutMs;
    // Returns once no result poll is left, so that the connection can close (see resultsByDeadline).
    const results = await resultsByDeadline<AlbumPipelineResult>(handles, deadline);
    finished = true;
    await Promise.all([...chaos, sampling]);
    await operator.stop();
    const repeats = judgeUnsignedRepeats(simulator.ledger, options.secret, operator.rebought);
    const wallMs = performance.now() - startedAt;
    const histories = await everyRunHistory(client);
    const replay = await replayEveryRun(histories, workflowBundle);
    const workflowTasks = workflowTaskTimesOf(histories.map(({ history }) => history.events ?? []));
    // A scale run has to show it had every song going at once, not 17 small runs in turn.
    const peakTracksInFlight = await peakRunsInFlight(client, trackIds);

    return {
      outDir,
      wallMs,
      replay,
      workflowTasks,
      albums: results.map((result, i) => ({
        albumId: options.albums[i]?.albumId ?? '?',
        status: 'error' in result ? 'failed' : result.status,
        tracks: 'error' in result ? [] : result.tracks.map((t) => ({ number: t.number, state: t.state, attempts: t.attempts })),
        error: 'error' in result ? result.error : undefined,
      })),
      kills,
      restarts,
      unexpectedWorkerExits,
      faults: simulator.faults.counts(),
      forgeries,
      endpoint: { ...endpoint.stats },
      paidSubmits: simulator.ledger.length,
      paidTwice: [...paidMoreThanOnce(simulator.ledger, options.secret), ...repeats.unexplained],
      knowinglyRebought: repeats.knowinglyRebought,
      attentionResolved: operator.resolutions,
      peakTracksInFlight,
      warmSpare,
      workerStartupsMs,
      withoutWorkerMs,
      workers,
      loadAverage: { mean: Math.round((loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length)) * 10) / 10, max: Math.round(Math.max(0, ...loads) * 10) / 10 },
      harness: {
        cpuSeconds: Math.round(((cpu) => (cpu.user + cpu.system) / 1e5)(process.cpuUsage(cpuBefore))) / 10,
        eventLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e6),
        eventLoopDelayMaxMs: Math.round(loopDelay.max / 1e6),
      },
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

/** Waits until the current worker polls its queue (a worker that dies first is replaced, and waited for in turn). */
async function untilServing(current: () => WorkerProcess, finished: () => boolean): Promise<void> {
  while (!finished()) {
    const worker = current();
    const outcome = await Promise.race([worker.ready.then(() => 'ready' as const), worker.exited.then(() => 'exited' as const), sleep(1_000).then(() => 'waiting' as const)]);
    if (outcome === 'ready' && worker === current()) return;
  }
}

/** Bundles the workflows once, for every worker process of the phase to load. */
export async function writeWorkflowBundle(file: string): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  await writeFile(file, code);
  return file;
}
