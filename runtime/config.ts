// Configuration from the environment (over an optional configuration file, runtime/configFile.ts),
// validated once at start-up. A bad value stops the program with a message naming the variable (and
// the file it came from), before any run is started.
import { isIP } from 'node:net';
import { z } from 'zod';
import { PROVIDER_NAMES, type ProviderName } from '../providers/model';
import { loadTemporalProfile, TemporalProfileError, type TemporalTlsFiles } from './temporalProfile';
import { ConfigFileError, configFiles, readConfigFiles, type ConfigFileValues } from './configFile';

const port = z.coerce.number().int().min(0).max(65535);
const onOff = z
  .enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => ['on', 'true', '1', 'yes'].includes(v));
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const optionalNonEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

function providerVars() {
  const shape: Record<string, z.ZodType> = {};
  for (const name of PROVIDER_NAMES) {
    shape[`${name.toUpperCase()}_BASE_URL`] = optionalNonEmpty(httpUrl);
    shape[`${name.toUpperCase()}_API_KEY`] = optionalNonEmpty(z.string().min(1));
    shape[`${name.toUpperCase()}_MAX_RUNNING_TASKS`] = optionalNonEmpty(z.coerce.number().int().min(1).max(1000));
  }
  return shape;
}

/** `local`, or an S3 bucket with an optional key prefix. */
const ARTIFACT_STORE_PATTERN = /^(local|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?)$/;

/**
 * Where finished files are stored: the local OUT_DIR, or an S3-compatible bucket (endpoint from
 * AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, addressed path-style). Credentials: AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) when set, else the SDK's chain (profiles, roles).
 */
export type ArtifactStoreConfig =
  | { kind: 'local' }
  | { kind: 's3'; bucket: string; prefix: string; endpoint?: string; region: string; credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } };

const envSchema = z.object({
  MUSIC_PROVIDER: optionalNonEmpty(z.enum(PROVIDER_NAMES)).default('anyint'),
  ...providerVars(),
  CALLBACK_PUBLIC_URL: optionalNonEmpty(httpUrl),
  CALLBACK_PORT: optionalNonEmpty(port).default(8787),
  CALLBACK_SECRET: optionalNonEmpty(z.string().min(16, 'must be at least 16 characters')),
  CALLBACKS: optionalNonEmpty(onOff).default(true),
  TEMPORAL_ADDRESS: optionalNonEmpty(z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port')),
  // No defaults here: a Temporal envconfig profile may give them (temporalProfile.ts).
  TEMPORAL_NAMESPACE: optionalNonEmpty(z.string().min(1)),
  TEMPORAL_API_KEY: optionalNonEmpty(z.string().min(1)),
  TEMPORAL_TLS: optionalNonEmpty(onOff),
  TEMPORAL_TASK_QUEUE: optionalNonEmpty(z.string().min(1)).default('music-pipelines'),
  TEMPORAL_PORT: optionalNonEmpty(port).default(7233),
  TEMPORAL_UI_PORT: optionalNonEmpty(port).default(8233),
  SIMULATOR_PORT: optionalNonEmpty(port).default(8788),
  OUT_DIR: optionalNonEmpty(z.string().min(1)).default('out'),
  PROVIDER_TIMEOUT_MS: optionalNonEmpty(z.coerce.number().int().min(100).max(600_000)).default(30_000),
  ARTIFACT_STORE: optionalNonEmpty(z.string().regex(ARTIFACT_STORE_PATTERN, 'must be "local" or s3://<bucket>[/<prefix>] (bucket: 3-63 of a-z 0-9 . -)')),
  AWS_ENDPOINT_URL_S3: optionalNonEmpty(httpUrl),
  AWS_ENDPOINT_URL: optionalNonEmpty(httpUrl),
  AWS_REGION: optionalNonEmpty(z.string().min(1)),
  AWS_ACCESS_KEY_ID: optionalNonEmpty(z.string().min(1)),
  AWS_SECRET_ACCESS_KEY: optionalNonEmpty(z.string().min(1)),
  AWS_SESSION_TOKEN: optionalNonEmpty(z.string().min(1)),
  METRICS_PORT: optionalNonEmpty(port),
  METRICS_HOST: optionalNonEmpty(z.string().min(1)).default('0.0.0.0'),
});

/** Every variable a user may set, which are also the keys of a configuration file. */
export const CONFIG_KEYS: readonly string[] = Object.keys(envSchema.shape);

export type ProviderAccess = { mode: 'real'; baseUrl: string; apiKey: string } | { mode: 'simulated' };

/** Running tasks a provider accepts at once when nothing is configured (all runs together). */
export const DEFAULT_MAX_RUNNING_TASKS = 10;

export interface Config {
  provider: ProviderName;
  providers: Record<ProviderName, ProviderAccess>;
  /** Most provider tasks running at once, per provider, across every run (`<NAME>_MAX_RUNNING_TASKS`). */
  maxRunningTasks: Record<ProviderName, number>;
  /** How long one provider HTTP exchange may take; past it a submit's outcome is unknown. */
  providerTimeoutMs: number;
  callbacks: {
    enabled: boolean;
    port: number;
    /** Undefined means "the endpoint's own loopback address". */
    publicUrl?: string;
    secret?: string;
  };
  temporal: {
    /** Undefined means "start the embedded dev server". */
    address?: string;
    namespace: string;
    apiKey?: string;
    tls: boolean;
    taskQueue: string;
    /** Client certificate and key, server CA, server name (TEMPORAL_TLS_* or the profile's [tls]). */
    tlsFiles: TemporalTlsFiles;
    /** gRPC metadata sent with every call (TEMPORAL_GRPC_META_* or the profile's [grpc_meta]). */
    grpcMeta: Record<string, string>;
    /** Where settings were read beside the environment (a Temporal envconfig profile), for messages. */
    profileSource?: string;
    devServerPort: number;
    uiPort: number;
  };
  simulatorPort: number;
  outDir: string;
  artifactStore: ArtifactStoreConfig;
  /** Prometheus /metrics of this process (METRICS_PORT); undefined means off. */
  metrics: { port?: number; host: string };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadConfigOptions {
  /** Configuration files to read under the environment, lowest precedence first (see runtime/configFile.ts). */
  configFiles?: string[];
}

/**
 * The configuration from `env` over the optional configuration files. Without arguments: the
 * process's environment over the files configFiles() finds; with an explicit `env` (tests, benchmarks)
 * no file is read unless `options.configFiles` names it.
 */
export function loadConfig(env?: NodeJS.ProcessEnv, options: LoadConfigOptions = {}): Config {
  const located = env === undefined && options.configFiles === undefined ? configFiles(process.env) : { files: options.configFiles ?? [], required: false };
  const fromEnv = env ?? process.env;
  let fromFiles: ConfigFileValues;
  try {
    fromFiles = readConfigFiles(located.files, CONFIG_KEYS, located.required);
  } catch (err) {
    if (err instanceof ConfigFileError) throw new ConfigError(err.message);
    throw err;
  }
  // A variable set (and not empty) in the environment wins over the files.
  const setInEnv = (key: string) => fromEnv[key] !== undefined && fromEnv[key] !== '';
  const merged: NodeJS.ProcessEnv = { ...fromEnv };
  for (const [key, value] of Object.entries(fromFiles.values)) if (!setInEnv(key)) merged[key] = value;
  const origin = (key: string) => (!setInEnv(key) && fromFiles.sourceOf[key] ? ` (in ${fromFiles.sourceOf[key]})` : '');

  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${String(i.path[0])}${origin(String(i.path[0]))}: ${i.message}`);
    throw new ConfigError(`invalid ${Object.keys(fromFiles.values).length > 0 ? 'configuration' : 'environment'}:\n${problems.join('\n')}`);
  }
  const e = parsed.data as z.infer<typeof envSchema> & Record<string, string | undefined>;

  const providers = {} as Record<ProviderName, ProviderAccess>;
  const maxRunningTasks = {} as Record<ProviderName, number>;
  for (const name of PROVIDER_NAMES) {
    maxRunningTasks[name] = (e[`${name.toUpperCase()}_MAX_RUNNING_TASKS`] as unknown as number | undefined) ?? DEFAULT_MAX_RUNNING_TASKS;
    const urlVar = `${name.toUpperCase()}_BASE_URL`;
    const keyVar = `${name.toUpperCase()}_API_KEY`;
    const baseUrl = e[urlVar];
    const apiKey = e[keyVar];
    if (baseUrl && apiKey) providers[name] = { mode: 'real', baseUrl, apiKey };
    else if (!baseUrl && !apiKey) providers[name] = { mode: 'simulated' };
    else throw new ConfigError(`invalid environment:\n  ${baseUrl ? keyVar : urlVar}: required when ${baseUrl ? urlVar : keyVar}${origin(baseUrl ? urlVar : keyVar)} is set (set both to call ${name} for real, neither to use the simulator)`);
  }

  const publicUrl = e.CALLBACK_PUBLIC_URL?.replace(/\/+$/, '');
  if (publicUrl && !isLoopbackUrl(publicUrl) && !e.CALLBACK_SECRET) {
    throw new ConfigError('invalid environment:\n  CALLBACK_SECRET: required when CALLBACK_PUBLIC_URL is not a loopback address (callback tokens must be signed with a secret you keep)');
  }

  let profile;
  try {
    profile = loadTemporalProfile(merged);
  } catch (err) {
    if (err instanceof TemporalProfileError) throw new ConfigError(`invalid Temporal configuration:\n  ${err.message}`);
    throw err;
  }
  const temporalApiKey = e.TEMPORAL_API_KEY ?? profile.apiKey;
  const tlsMaterial = Object.values(profile.tlsFiles).some((v) => v !== undefined);

  return {
    provider: e.MUSIC_PROVIDER,
    providers,
    maxRunningTasks,
    providerTimeoutMs: e.PROVIDER_TIMEOUT_MS,
    callbacks: { enabled: e.CALLBACKS, port: e.CALLBACK_PORT, publicUrl, secret: e.CALLBACK_SECRET },
    temporal: {
      // The environment wins over the profile; an API key or TLS material means TLS unless it is turned off.
      address: e.TEMPORAL_ADDRESS ?? profile.address,
      namespace: e.TEMPORAL_NAMESPACE ?? profile.namespace ?? 'default',
      apiKey: temporalApiKey,
      tls: e.TEMPORAL_TLS ?? profile.tls ?? (temporalApiKey !== undefined || tlsMaterial),
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      tlsFiles: profile.tlsFiles,
      grpcMeta: profile.grpcMeta,
      profileSource: profile.source,
      devServerPort: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
    },
    simulatorPort: e.SIMULATOR_PORT,
    outDir: e.OUT_DIR,
    artifactStore: artifactStoreConfig(e),
    metrics: { port: e.METRICS_PORT, host: e.METRICS_HOST },
  };
}

function artifactStoreConfig(e: z.infer<typeof envSchema>): ArtifactStoreConfig {
  const raw = e.ARTIFACT_STORE;
  if (!raw || raw === 'local') return { kind: 'local' };
  const [bucket = '', ...rest] = raw.slice('s3://'.length).split('/');
  const prefix = rest.filter(Boolean).join('/');
  const endpoint = (e.AWS_ENDPOINT_URL_S3 ?? e.AWS_ENDPOINT_URL)?.replace(/\/+$/, '');
  const keys = e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY ? { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY, ...(e.AWS_SESSION_TOKEN ? { sessionToken: e.AWS_SESSION_TOKEN } : {}) } : undefined;
  // Without a region the SDK refuses to sign; custom servers ignore it, AWS needs the bucket's own.
  return { kind: 's3', bucket, prefix, endpoint, region: e.AWS_REGION ?? 'us-east-1', ...(keys ? { credentials: keys } : {}) };
}

export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  // 127/8 only as an IP literal: a name such as 127.hooks.example.com is a public host like any other.
  return host === 'localhost' || host === '[::1]' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** The variables a user may set, with their meaning, for `--help` texts and the README. */
export const ENVIRONMENT_HELP = `Environment:
  MUSIC_PROVIDER          provider to use: ${PROVIDER_NAMES.join(', ')} (default anyint)
  <NAME>_BASE_URL         a provider's API base URL, e.g. ANYINT_BASE_URL
  <NAME>_API_KEY          its API key; with neither set, the built-in simulator plays that provider
  <NAME>_MAX_RUNNING_TASKS  most tasks running at once at that provider, all runs together (default 10)
  CALLBACK_PUBLIC_URL     URL at which providers reach our callback endpoint (default http://127.0.0.1:<CALLBACK_PORT>)
  CALLBACK_PORT           port of the callback endpoint (default 8787)
  CALLBACK_SECRET         secret that signs callback tokens (required for a non-loopback public URL)
  CALLBACKS               on|off: ask providers for webhooks, or rely on polling only (default on)
  TEMPORAL_ADDRESS        host:port of a Temporal server; unset starts an embedded dev server
  TEMPORAL_NAMESPACE      namespace (default default)
  TEMPORAL_API_KEY        API key for Temporal Cloud (implies TLS)
  TEMPORAL_TLS            on|off: connect with TLS (default off; on with an API key or TLS certificates)
  TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE  a Temporal envconfig TOML file and profile (default ~/.config/temporalio/temporal.toml, profile default); variables win
  METRICS_PORT            serve Prometheus metrics at http://<METRICS_HOST>:<port>/metrics (default off)
  PROVIDER_TIMEOUT_MS     how long one provider request may take, in ms (default 30000)
  OUT_DIR                 where finished media is written (default ./out)
  ARTIFACT_STORE          local (default) or s3://bucket/prefix: files under OUT_DIR become objects in that bucket
                          (AWS_ENDPOINT_URL[_S3], AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION as for the AWS CLI)
  MUSIC_CONFIG            a JSON file of these same keys to read; default ./music.config.json over
                          ~/.music.config.json. A variable set in the environment wins over a file.`;
