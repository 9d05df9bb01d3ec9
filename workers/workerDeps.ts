// The worker's dependencies from configuration: where each provider is reached (the simulator for
// providers without a key), how fast to poll it, where webhooks come back, and the provider limits.
import type { Client } from '@temporalio/client';
import type { ActivityDeps } from '../activities';
import { artifactStoreFromConfig } from '../artifacts/store/storeFromConfig';
import type { ProviderEndpoint } from '../providers/http';
import { PROVIDER_NAMES, type ProviderName } from '../providers/model';
import { DEFAULT_ACTIVITY_TUNING, SIMULATED_POLL_SCALE } from './worker';
import type { Config } from '../runtime/config';
import { learnedDurationsFile } from '../steps/learnedDurationsFile';

/** The simulator's key: it only listens on loopback, so a fixed well-known value is enough. */
export const SIMULATOR_API_KEY = 'sim-key';

export interface WorkerWiring {
  config: Config;
  client: Client;
  /** Base URL of the simulator, for providers configured without a key. */
  simulatorUrl?: string;
  callbacks: { publicUrl: string; secret: string };
  /** Overrides the poll cadence of every provider (tests). */
  pollScale?: number;
  /** A file that keeps the poll schedule's learned durations across restarts (steps/learnedDurationsFile.ts). */
  learnedDurationsFile?: string;
}

export function workerDeps({ config, client, simulatorUrl, callbacks, pollScale, learnedDurationsFile: durationsFile }: WorkerWiring): ActivityDeps {
  const endpoints = {} as Record<ProviderName, ProviderEndpoint>;
  for (const name of PROVIDER_NAMES) {
    const access = config.providers[name];
    if (access.mode === 'real') endpoints[name] = { baseUrl: access.baseUrl, apiKey: access.apiKey };
    else if (simulatorUrl) endpoints[name] = { baseUrl: simulatorUrl, apiKey: SIMULATOR_API_KEY };
  }
  return {
    ...DEFAULT_ACTIVITY_TUNING,
    httpTimeoutMs: config.providerTimeoutMs,
    pollScaleFor: (name) => pollScale ?? (config.providers[name].mode === 'simulated' ? SIMULATED_POLL_SCALE : 1),
    endpointFor: (name) => {
      const endpoint = endpoints[name];
      if (!endpoint) throw new Error(`provider ${name} has no ${name.toUpperCase()}_BASE_URL/_API_KEY and no simulator is configured (SIMULATOR_URL)`);
      return endpoint;
    },
    callbacks,
    store: artifactStoreFromConfig(config.artifactStore, config.outDir),
    slots: { client, taskQueue: config.temporal.taskQueue, limitFor: (name) => config.maxRunningTasks[name] },
    learnedDurations: durationsFile ? learnedDurationsFile(durationsFile, (line) => process.stderr.write(`worker: ${line}\n`)) : undefined,
  };
}
