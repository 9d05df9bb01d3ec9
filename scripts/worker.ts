// `npm run worker`: one more worker process for a running Temporal server (scale out by running more,
// on any machine). Providers without an API key are reached at SIMULATOR_URL; webhooks are expected
// at CALLBACK_PUBLIC_URL (or the loopback callback port), served by `npm start` or another process.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { NativeConnection } from '@temporalio/worker';
import { resolveCallbackSecret } from '../callbacks/callbackSecret';
import { configOrExit, exitWith, SIGNAL_EXIT_CODES, type StopSignal } from '../client/cli';
import { WORKER_STOP_GRACE_MS } from '../stack/stack';
import { connectClient, temporalTarget } from '../client/connect';
import { ENVIRONMENT_HELP } from '../runtime/config';
import { workerDeps } from '../workers/workerDeps';
import { createMusicWorker } from '../workers/worker';
import { installWorkerRuntime, startWorkerMetrics } from '../workers/workerMetrics';
import { MusicMetrics } from '../metrics/musicMetrics';
import { loadPriceTable } from '../providers/priceFile';
import { dataDir } from '../runtime/projectPaths';
import { LEARNED_DURATIONS_FILE } from '../steps/learnedDurationsFile';

const program = new Command('worker')
  .description('Run one worker (workflows and activities) against a running Temporal server until Ctrl-C.')
  .option(
    '--wait-for-server <seconds>',
    'how long to wait for the Temporal server to answer at start (a worker brought up before its server, after a reboot say)',
    parseSeconds,
    60,
  )
  .addHelpText(
    'after',
    `\nAlso: SIMULATOR_URL         base URL of a running simulator, for providers without an API key\n` +
      `      WORKER_EXIT_WITH_PID  stop when that process ends (for supervisors that start workers as children)\n` +
      `      WORKER_STANDBY=1      load the code, say "worker standing by", and connect and poll only at the first line\n` +
      `                            on stdin: a supervisor keeps one warm to replace a worker that died\n` +
      `      MUSIC_DATA_DIR        where the poll schedule's learned task durations are kept across restarts\n` +
      `                            (${LEARNED_DURATIONS_FILE}; default .data/ in the project)\n` +
      `      WORKFLOW_BUNDLE       a prebuilt workflow bundle (a .js file from bundleWorkflowCode) to load instead of\n` +
      `                            bundling the workflows at every start, which takes seconds to minutes\n\n${ENVIRONMENT_HELP}`,
  );

function parseSeconds(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) throw new InvalidArgumentError('must be a number of seconds >= 0');
  return value;
}

/**
 * WORKER_EXIT_WITH_PID: end this worker when that process is gone. Whoever starts workers as child
 * processes (a supervisor script, a test) gets no orphans that go on taking tasks after it died.
 */
function exitWithProcess(raw: string | undefined): void {
  if (!raw) return;
  const pid = Number(raw);
  if (!Number.isInteger(pid) || pid <= 0) exitWith('worker', 'WORKER_EXIT_WITH_PID: must be a process id');
  setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch {
      process.stderr.write(`worker: process ${pid} is gone; stopping\n`);
      process.exit(1);
    }
  }, 1_000).unref();
}

/**
 * The SDK shuts the worker down at the first SIGINT or SIGTERM and run() ends once its activities
 * have; an activity stuck in a request that never answers would hold the process forever. After
 * WORKER_STOP_GRACE_MS it exits anyway (the server hands the activity to another worker after its
 * heartbeat timeout), and a second signal exits at once.
 */
function exitAfterGrace(): void {
  let first: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    if (first) {
      process.stderr.write(`worker: ${signal} again: exiting now\n`);
      process.exit(SIGNAL_EXIT_CODES[first]);
    }
    first = signal;
    process.stderr.write(`worker: ${signal}: stopping (again to exit at once)\n`);
    setTimeout(() => {
      process.stderr.write(`worker: activities still running after ${WORKER_STOP_GRACE_MS / 1000} s; exiting (they are retried by the next worker)\n`);
      process.exit(SIGNAL_EXIT_CODES[signal]);
    }, WORKER_STOP_GRACE_MS).unref();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

function firstLineOnStdin(): Promise<void> {
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      if (!chunk.includes(10)) return;
      process.stdin.off('data', onData);
      process.stdin.pause();
      resolve();
    };
    process.stdin.on('data', onData);
  });
}

async function main(): Promise<void> {
  program.parse();
  exitWithProcess(process.env.WORKER_EXIT_WITH_PID);
  // A line on stdin, not a signal: the SDK's runtime takes SIGUSR2 (like SIGINT and SIGTERM) as "shut down".
  const activated = process.env.WORKER_STANDBY === '1' ? firstLineOnStdin() : undefined;
  const { waitForServer } = program.opts<{ waitForServer: number }>();
  const config = configOrExit('worker');
  const simulatorUrl = process.env.SIMULATOR_URL || undefined;
  if (simulatorUrl && !/^https?:\/\//.test(simulatorUrl)) exitWith('worker', 'SIMULATOR_URL: must be an http(s) URL');
  const workflowBundle = process.env.WORKFLOW_BUNDLE || undefined;
  if (workflowBundle && !existsSync(workflowBundle)) exitWith('worker', `WORKFLOW_BUNDLE: no file ${workflowBundle}`);
  const target = temporalTarget(config);
  const { address } = target;
  const standBy = async () => {
    process.stdout.write(`worker standing by for task queue ${config.temporal.taskQueue} at ${address} (a line on stdin to start polling)\n`);
    await activated;
  };
  // A spare gets as far as it can before its activation, so that a worker killed is replaced in the
  // time it takes to start polling. Building the worker (its connection, the workflow bundle loaded)
  // took 0.8 s at the median and over 10 s on a loaded machine, every kill. With a metrics port it
  // stops before connecting: the port and the SDK's exporter belong to the worker it will replace.
  const readyBeforeActivation = activated !== undefined && config.metrics.port === undefined;
  if (activated && !readyBeforeActivation) await standBy();
  // A server still starting is not an error yet: wait for it (a worker may come up first after a reboot).
  const client = await connectClient(target, { waitSeconds: waitForServer, onWaiting: (line) => process.stderr.write(`${line}\n`) });
  // Metrics before the worker's first native connection: the SDK runtime takes its exporter only then.
  let metrics: MusicMetrics | undefined;
  let metricsServer;
  if (config.metrics.port !== undefined) {
    metrics = new MusicMetrics({ prices: await loadPriceTable() });
    metricsServer = await startWorkerMetrics({ metrics, port: config.metrics.port, host: config.metrics.host, client });
    process.stdout.write(`metrics at ${metricsServer.url}\n`);
  } else {
    await installWorkerRuntime({ sdkMetrics: false });
  }
  const { namespace: _namespace, ...connectionOptions } = target;
  const nativeConnection = await NativeConnection.connect(connectionOptions);
  const callbacks = { publicUrl: config.callbacks.publicUrl ?? `http://127.0.0.1:${config.callbacks.port}`, secret: resolveCallbackSecret(config.callbacks.secret) };
  // A worker started again polls on the durations the last one learned, not the documented schedule.
  const deps = workerDeps({ config, client, simulatorUrl, callbacks, learnedDurationsFile: path.join(dataDir(), LEARNED_DURATIONS_FILE) });
  const worker = await createMusicWorker({
    connection: nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    metrics,
    deps,
    // A restarted worker (after a crash, a deploy) serves again in seconds when it need not bundle.
    workflowBundle: workflowBundle ? { codePath: workflowBundle } : undefined,
  });
  exitAfterGrace();
  if (readyBeforeActivation) await standBy();
  process.stdout.write(`worker polling task queue ${config.temporal.taskQueue} at ${address}\n`);
  await worker.run();
  await deps.learnedDurations?.flush();
  await metricsServer?.close();
  await nativeConnection.close();
  await client.connection.close();
}

main().catch((err: Error) => exitWith('worker', err.message, 1));
