// Metrics of a worker process: the Temporal SDK runtime's own (task latencies, pollers, failures,
// sticky cache...) and ours (metrics/), both on one scrape target at METRICS_PORT.
//
// The SDK's Prometheus exporter lives in its native core and binds a port of its own; we bind it to
// a free loopback port and merge its text into our /metrics answer, so an operator opens and
// scrapes one port per process. The runtime is process-wide and can be installed only once, before
// the first worker connection, which is why this file owns Runtime.install.
import { createServer } from 'node:net';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { DefaultLogger, Runtime, type Logger } from '@temporalio/worker';
import { providerSlotsWorkflowId, slotsQuery } from '../contracts/providerSlots';
import type { MusicMetrics, SlotReading } from '../metrics/musicMetrics';
import { startMetricsServer, type MetricsServer } from '../metrics/metricsServer';
import { PROVIDER_NAMES } from '../providers/model';

let installed: { sdkMetricsUrl?: string } | undefined;

/**
 * Installs the SDK runtime once per process: a quiet logger (the SDK logs every worker state change
 * at INFO; our own lines say what a user needs) and, when asked, its Prometheus exporter on a free
 * loopback port. Returns the exporter's URL, or undefined when metrics are off or the runtime was
 * already installed without them (by an embedding process, a test environment, say).
 */
/**
 * `logger` and `shutdownSignals` let an embedding command (the stack) keep the SDK quiet and stop
 * the worker itself, in order, instead of the SDK reacting to Ctrl-C on its own.
 */
export async function installWorkerRuntime(options: { sdkMetrics: boolean; logger?: Logger; shutdownSignals?: NodeJS.Signals[] }): Promise<string | undefined> {
  if (installed) return installed.sdkMetricsUrl;
  const port = options.sdkMetrics ? await freeLoopbackPort() : undefined;
  const bindAddress = port === undefined ? undefined : `127.0.0.1:${port}`;
  try {
    Runtime.install({
      logger: options.logger ?? new DefaultLogger('WARN'),
      ...(options.shutdownSignals ? { shutdownSignals: options.shutdownSignals } : {}),
      ...(bindAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress } } } } : {}),
    });
    installed = { sdkMetricsUrl: bindAddress ? `http://${bindAddress}/metrics` : undefined };
  } catch {
    // Already installed by the embedding process: keep its runtime (its logger, its telemetry).
    installed = {};
  }
  return installed.sdkMetricsUrl;
}

export interface WorkerMetricsOptions {
  metrics: MusicMetrics;
  port: number;
  host?: string;
  /** Reads the provider semaphores for the in-flight gauges; without it they are not exported. */
  client?: Pick<Client, 'workflow' | 'withDeadline'>;
  /** The embedding command's runtime choices (see installWorkerRuntime). */
  runtime?: { logger?: Logger; shutdownSignals?: NodeJS.Signals[] };
}

/** Starts the worker's /metrics (call before the worker's first NativeConnection). */
export async function startWorkerMetrics(options: WorkerMetricsOptions): Promise<MetricsServer> {
  const sdkMetricsUrl = await installWorkerRuntime({ sdkMetrics: true, ...options.runtime });
  const client = options.client;
  if (client) options.metrics.trackSlots(() => readSlots(client));
  return startMetricsServer({ registry: options.metrics.registry, port: options.port, host: options.host, sdkMetricsUrl });
}

const SLOTS_QUERY_TIMEOUT_MS = 3_000;

/** Each provider's semaphore, as its `slots` query answers; a semaphore never started holds nothing. */
export async function readSlots(client: Pick<Client, 'workflow' | 'withDeadline'>): Promise<SlotReading[]> {
  const readings = await Promise.all(
    PROVIDER_NAMES.map(async (provider): Promise<SlotReading | undefined> => {
      try {
        const state = await client.withDeadline(Date.now() + SLOTS_QUERY_TIMEOUT_MS, () => client.workflow.getHandle(providerSlotsWorkflowId(provider)).query(slotsQuery));
        return { provider, held: state.holders.length, waiting: state.waiting.length };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { provider, held: 0, waiting: 0 };
        // Unknown (server slow or unreachable): no figure is better than a wrong zero.
        return undefined;
      }
    }),
  );
  return readings.filter((r): r is SlotReading => r !== undefined);
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}
