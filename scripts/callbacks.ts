// `npm run callbacks`: the callback endpoint as a process of its own, so that the part facing the
// internet runs apart from the workers (behind a load balancer, as many copies as needed: it keeps
// no state, every request is checked by its signed token and becomes one signal). Workers mint the
// tokens with the same CALLBACK_SECRET and point providers at CALLBACK_PUBLIC_URL.
import { Command, InvalidArgumentError } from 'commander';
import { startCallbackEndpoint } from '../callbacks/callbackEndpoint';
import { resolveCallbackSecret } from '../callbacks/callbackSecret';
import { configOrExit, exitWith } from '../client/cli';
import { connectClient, temporalTarget } from '../client/connect';
import { MusicMetrics } from '../metrics/musicMetrics';
import { startMetricsServer, type MetricsServer } from '../metrics/metricsServer';
import { ENVIRONMENT_HELP } from '../runtime/config';

const program = new Command('callbacks')
  .description('Run the callback endpoint (providers\' webhooks, the files they fetch) until Ctrl-C or SIGTERM.')
  .option('--host <address>', 'address to listen on (default: 0.0.0.0 when CALLBACK_PUBLIC_URL is set, else 127.0.0.1)')
  .option('--wait-for-server <seconds>', 'how long to wait for the Temporal server to answer at start', parseSeconds, 60)
  .addHelpText(
    'after',
    `\nListens on CALLBACK_PORT; Prometheus metrics on METRICS_PORT (a separate port, never the public one).\n` +
      `Workers elsewhere must share CALLBACK_SECRET and CALLBACK_PUBLIC_URL with this process.\n\n${ENVIRONMENT_HELP}`,
  );

function parseSeconds(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0) throw new InvalidArgumentError('must be a number of seconds >= 0');
  return value;
}

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<{ host?: string; waitForServer: number }>();
  const config = configOrExit('callbacks');
  const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  const client = await connectClient(temporalTarget(config), { waitSeconds: opts.waitForServer, onWaiting: (line) => process.stderr.write(`${line}\n`) });

  const metrics = new MusicMetrics();
  let metricsServer: MetricsServer | undefined;
  if (config.metrics.port !== undefined) {
    metricsServer = await startMetricsServer({ registry: metrics.registry, port: config.metrics.port, host: config.metrics.host });
    log(`metrics at ${metricsServer.url}`);
  }
  const endpoint = await startCallbackEndpoint({
    client,
    secret: resolveCallbackSecret(config.callbacks.secret),
    port: config.callbacks.port,
    host: opts.host ?? (config.callbacks.publicUrl ? '0.0.0.0' : '127.0.0.1'),
    log,
    metrics,
  });
  log(`callback endpoint at ${endpoint.url}${config.callbacks.publicUrl ? ` (public URL ${config.callbacks.publicUrl})` : ''}, signalling runs in namespace ${config.temporal.namespace}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    Promise.all([endpoint.close(), metricsServer?.close()])
      .then(() => client.connection.close())
      .then(() => process.exit(0))
      .catch((err: Error) => exitWith('callbacks', err.message, 1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: Error) => exitWith('callbacks', err.message, 1));
