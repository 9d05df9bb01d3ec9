// Starts the parts of the system a process needs, in order, and stops them in reverse: the Temporal
// dev server (unless a server is configured), the simulator for providers without an API key, the
// callback endpoint, and the worker. `npm start`, the client scripts and the integration tests all
// use this one path, so what the tests prove is what users run.
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkerOptions } from '@temporalio/worker';
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

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const { config, log } = options;
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
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
      let stopped = false;
      const restart = async () => {
        for (let attempt = 1; attempt <= DEV_SERVER_RESTARTS && !stopped; attempt++) {
          try {
            dev = await dev.startAgain();
            log(`Temporal dev server started again at ${dev.address} (its runs continue)`);
            return;
          } catch (error) {
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
        onUnexpectedExit: () => void restart(),
      });
      devServerPid = () => dev.pid;
      stops.push(() => {
        stopped = true;
        return dev.stop();
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
      const server = await startWorkerMetrics({ metrics, port: metricsPort, host: config.metrics.host, client });
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

    await installWorkerRuntime({ sdkMetrics: false });
    const nativeConnection = await NativeConnection.connect(connectionOptions);
    stops.push(() => nativeConnection.close());
    const worker: Worker = await createMusicWorker({
      connection: nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      workflowBundle: options.workflowBundle,
      metrics,
      deps: workerDeps({ config, client, simulatorUrl: stack.simulatorUrl, callbacks: { publicUrl: stack.callbackUrl, secret }, pollScale: options.pollScale }),
    });
    const running = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    running.catch((err: Error) => log(`worker stopped: ${err.message}`));
    log(`worker polling task queue ${config.temporal.taskQueue}`);
    return stack;
  } catch (err) {
    await stop();
    throw err;
  }
}
