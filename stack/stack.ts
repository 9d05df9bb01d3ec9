// Starts the parts of the system a process needs, in order, and stops them in reverse: the Temporal
// dev server (unless a server is configured), the simulator for providers without an API key, the
// callback endpoint, and the worker. `npm start`, the client scripts and the integration tests all
// use this one path, so what the tests prove is what users run.
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, type Worker, type WorkerOptions } from '@temporalio/worker';
import { startCallbackEndpoint, type CallbackEndpoint } from '../callbacks/callbackEndpoint';
import { createMusicWorker } from '../workers/worker';
import { startSimulator } from '../simulator';
import { PROVIDER_NAMES } from '../providers/model';
import { MUSIC_SEARCH_ATTRIBUTES } from '../contracts/searchAttributes';
import { resolveCallbackSecret } from '../callbacks/callbackSecret';
import { dataDir } from '../runtime/projectPaths';
import type { Config } from '../runtime/config';
import { startDevServer, type DevServer } from '../runtime/devServer';
import { SIMULATOR_API_KEY, workerDeps } from '../workers/workerDeps';
import { temporalConnectionOptions } from '../runtime/temporalConnection';
import { MusicMetrics } from '../metrics/musicMetrics';
import { loadPriceTable } from '../providers/priceFile';
import { installWorkerRuntime, startWorkerMetrics } from '../workers/workerMetrics';

export interface StackOptions {
  config: Config;
  log: (line: string) => void;
  /** Run a worker in this process (default true). */
  worker?: boolean;
  /** Overrides for the embedded dev server (tests use ephemeral ports and a temp database). */
  devServer?: { port?: number; uiPort?: number; ui?: boolean; dbFile?: string };
  /** Overrides for the simulator (tests shorten its stages). */
  simulator?: {
    port?: number;
    stageDelaysMs?: { text: number; first: number; complete: number };
    clipSeconds?: number;
    seed?: string;
    /** Where the simulator keeps its tasks and media (default .data/simulator), so runs resumed after a restart still find their tasks. */
    stateDir?: string;
  };
  callbackPort?: number;
  /** Reuse a workflow bundle (tests bundle once per suite). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Poll cadence multiplier for every provider (default: 1 for real providers, faster for simulated ones). */
  pollScale?: number;
  /** Serve /metrics on this port (0: a free one); default METRICS_PORT, unset means no metrics. */
  metricsPort?: number;
}

export interface RunningStack {
  client: Client;
  address: string;
  namespace: string;
  taskQueue: string;
  uiUrl?: string;
  /** The embedded dev server's current process id (it changes when the server is started again). */
  devServerPid?: () => number | undefined;
  simulatorUrl?: string;
  callbackUrl?: string;
  callbackEndpoint?: CallbackEndpoint;
  /** http://host:port/metrics when metrics are on. */
  metricsUrl?: string;
  stop(): Promise<void>;
}

export { SIMULATOR_API_KEY };

/** Tries to bring a crashed embedded dev server back before giving up (and saying so). */
const DEV_SERVER_RESTARTS = 5;

/**
 * How long stop() waits for the worker to finish the activities it holds. An activity stuck in a
 * provider request that never answers does not end on cancellation; past this it is left to its
 * heartbeat timeout, and the next worker runs it again (nothing is lost but time).
 */
export const WORKER_STOP_GRACE_MS = 10_000;

/**
 * Set once a stack of this process starts stopping: what the worker then reports (activities
 * abandoned at the end of the grace failing as the simulator closes under them) is the stop itself,
 * not news, and its stack traces would read as a crash. The runtime's logger is one per process.
 */
let workerLogMuted = false;

/**
 * The SDK logs every worker state change at INFO; our own log lines say what a user needs. No
 * shutdownSignals: the SDK would otherwise shut the worker down on Ctrl-C by itself, racing the
 * command's own handler, which stops everything it started in order (stop() below).
 */
function quietRuntime(): { logger: DefaultLogger; shutdownSignals: NodeJS.Signals[] } {
  const logger = new DefaultLogger('WARN', (entry) => {
    if (workerLogMuted) return;
    const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    if (entry.meta === undefined) console.error(`${at} [${entry.level}] ${entry.message}`);
    else console.error(`${at} [${entry.level}] ${entry.message}`, entry.meta);
  });
  return { logger, shutdownSignals: [] };
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { config, log } = options;
  const stops: (() => Promise<void>)[] = [];
  // Set before anything is stopped: from then on nothing may be started again (a dev server that
  // exits while the stack stops is not a crash to recover from).
  let stopping = false;
  const stop = async () => {
    stopping = true;
    workerLogMuted = true;
    for (const fn of stops.reverse()) {
      await fn().catch((err: Error) => log(`while stopping: ${err.message}`));
    }
    stops.length = 0;
  };

  try {
    let address = config.temporal.address;
    let devServerPid: (() => number | undefined) | undefined;
    let uiUrl: string | undefined;
    if (!address) {
      // The embedded server is supervised: if it dies, it is started again on its database, and the
      // worker, callback endpoint and clients reconnect by themselves. Runs lose nothing but time.
      let dev: DevServer;
      let restarting: Promise<void> | undefined;
      const restart = async () => {
        for (let attempt = 1; attempt <= DEV_SERVER_RESTARTS && !stopping; attempt++) {
          try {
            const again = await dev.startAgain();
            dev = again;
            if (stopping) {
              // stop() began while this server was starting: it must not outlive the stack.
              await again.stop();
              return;
            }
            log(`Temporal dev server started again at ${dev.address} (its runs continue)`);
            return;
          } catch (error) {
            if (stopping) return;
            log(`starting the Temporal dev server again failed (attempt ${attempt}/${DEV_SERVER_RESTARTS}): ${(error as Error).message.split('\n')[0]}`);
            await new Promise((resolve) => setTimeout(resolve, 1_000 * 2 ** attempt));
          }
        }
      };
      dev = await startDevServer({
        port: options.devServer?.port ?? config.temporal.devServerPort,
        uiPort: options.devServer?.uiPort ?? config.temporal.uiPort,
        ui: options.devServer?.ui ?? true,
        dbFile: options.devServer?.dbFile,
        namespace: config.temporal.namespace,
        searchAttributes: MUSIC_SEARCH_ATTRIBUTES.map((k) => k.name),
        log,
        onUnexpectedExit: () => {
          if (stopping || restarting) return;
          restarting = restart().finally(() => (restarting = undefined));
        },
      });
      devServerPid = () => dev.pid;
      stops.push(async () => {
        // A restart under way finishes (and stops what it started) before the current server is stopped.
        await restarting;
        await dev.stop();
      });
      address = dev.address;
      uiUrl = dev.uiUrl;
      log(`Temporal dev server at ${address}${uiUrl ? `, UI at ${uiUrl}` : ''}`);
    }

    const connectionOptions = temporalConnectionOptions(config.temporal, address);
    const connection = await Connection.connect(connectionOptions);
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporal.namespace });

    const stack: RunningStack = { client, address, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, uiUrl, devServerPid, stop };

    if (options.worker === false) return stack;

    // Metrics first: the worker's SDK runtime takes its exporter only before its first connection.
    const metricsPort = options.metricsPort ?? config.metrics.port;
    let metrics: MusicMetrics | undefined;
    if (metricsPort !== undefined) {
      metrics = new MusicMetrics({ prices: await loadPriceTable() });
      const server = await startWorkerMetrics({ metrics, port: metricsPort, host: config.metrics.host, client, runtime: quietRuntime() });
      stops.push(() => server.close());
      stack.metricsUrl = server.url;
      log(`metrics at ${server.url}`);
    }

    const simulated = PROVIDER_NAMES.filter((name) => config.providers[name].mode === 'simulated');
    if (simulated.length > 0) {
      const sim = await startSimulator({
        port: options.simulator?.port ?? config.simulatorPort,
        apiKey: SIMULATOR_API_KEY,
        stageDelaysMs: options.simulator?.stageDelaysMs,
        clipSeconds: options.simulator?.clipSeconds,
        seed: options.simulator?.seed,
        stateDir: options.simulator?.stateDir ?? path.join(dataDir(), 'simulator'),
        log: (line) => log(`simulator: ${line}`),
      });
      stops.push(() => sim.close());
      stack.simulatorUrl = sim.url;
      log(`simulator at ${sim.url} plays: ${simulated.join(', ')}`);
    }

    const secret = resolveCallbackSecret(config.callbacks.secret);
    const callbacks = await startCallbackEndpoint({
      client,
      secret,
      port: options.callbackPort ?? config.callbacks.port,
      host: config.callbacks.publicUrl ? '0.0.0.0' : '127.0.0.1',
      log,
      metrics,
    });
    stops.push(() => callbacks.close());
    stack.callbackEndpoint = callbacks;
    stack.callbackUrl = config.callbacks.publicUrl ?? callbacks.url;
    log(`callback endpoint at ${callbacks.url}${config.callbacks.publicUrl ? ` (public URL ${config.callbacks.publicUrl})` : ''}`);

    // Installed once per process (a no-op when metrics above already installed it).
    await installWorkerRuntime({ sdkMetrics: false, ...quietRuntime() });
    const nativeConnection = await NativeConnection.connect(connectionOptions);
    let workerStopped = true;
    // Closed only after the worker has stopped: a worker past its grace still holds the connection,
    // and the process exit ends both.
    stops.push(async () => {
      if (workerStopped) await nativeConnection.close();
    });
    const worker: Worker = await createMusicWorker({
      connection: nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflowBundle: options.workflowBundle,
      metrics,
      deps: workerDeps({ config, client, simulatorUrl: stack.simulatorUrl, callbacks: { publicUrl: stack.callbackUrl, secret }, pollScale: options.pollScale }),
    });
    const running = worker.run();
    workerStopped = false;
    void running.finally(() => (workerStopped = true)).catch(() => {});
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'grace over'>((resolve) => (timer = setTimeout(() => resolve('grace over'), WORKER_STOP_GRACE_MS)));
      const outcome = await Promise.race([running.then(() => 'stopped' as const, () => 'stopped' as const), graceOver]);
      clearTimeout(timer);
      if (outcome === 'grace over') log(`the worker still holds activities after ${WORKER_STOP_GRACE_MS / 1000} s; leaving them to be retried by the next worker`);
    });
    running.catch((err: Error) => log(`worker stopped: ${err.message}`));
    log(`worker polling task queue ${config.temporal.taskQueue}`);
    return stack;
  } catch (err) {
    await stop();
    throw err;
  }
}
