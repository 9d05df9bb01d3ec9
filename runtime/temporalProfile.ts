// Temporal's environment configuration ("envconfig"), the way the temporal CLI and the SDKs read
// it: a TOML file of named profiles (TEMPORAL_CONFIG_FILE, else the standard
// <config dir>/temporalio/temporal.toml), the profile TEMPORAL_PROFILE names (else "default"), and the
// TEMPORAL_* environment variables over it: a variable always wins over the file. So one
// `temporal config set ...` serves the CLI and every process here, and secrets can stay in the
// environment of a deployment.
//
// The SDK's own loader (@temporalio/envconfig) is not a dependency of this project; this reads the
// documented format: [profile.<name>] address, namespace, api_key, [profile.<name>.tls] disabled,
// client_cert_path|_data, client_key_path|_data, server_ca_cert_path|_data, server_name,
// [profile.<name>.grpc_meta]. Unknown keys are ignored, as the SDKs do by default.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';

export const DEFAULT_PROFILE = 'default';

/** TLS material for a connection; any of it present (and TLS not disabled) turns TLS on. */
export interface TemporalTlsFiles {
  clientCert?: Buffer;
  clientKey?: Buffer;
  serverCaCert?: Buffer;
  serverName?: string;
}

export interface TemporalProfile {
  /** Where the file settings came from ("profile prod of /home/me/.config/temporalio/temporal.toml"); undefined without a file. */
  source?: string;
  address?: string;
  namespace?: string;
  apiKey?: string;
  /** An explicit choice (TEMPORAL_TLS, tls.disabled); undefined when neither says. */
  tls?: boolean;
  tlsFiles: TemporalTlsFiles;
  /** gRPC metadata sent with every call (header names lowercased, _ as -). */
  grpcMeta: Record<string, string>;
}

export class TemporalProfileError extends Error {
  override readonly name = 'TemporalProfileError';
}

const tlsSchema = z.looseObject({
  disabled: z.boolean().optional(),
  client_cert_path: z.string().min(1).optional(),
  client_cert_data: z.string().min(1).optional(),
  client_key_path: z.string().min(1).optional(),
  client_key_data: z.string().min(1).optional(),
  server_ca_cert_path: z.string().min(1).optional(),
  server_ca_cert_data: z.string().min(1).optional(),
  server_name: z.string().min(1).optional(),
  disable_host_verification: z.boolean().optional(),
});

const profileSchema = z.looseObject({
  address: z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port').optional(),
  namespace: z.string().min(1).optional(),
  api_key: z.string().min(1).optional(),
  tls: tlsSchema.optional(),
  grpc_meta: z.record(z.string(), z.string()).optional(),
});

const fileSchema = z.looseObject({ profile: z.record(z.string(), profileSchema).optional() });

type FileProfile = z.infer<typeof profileSchema>;

/** The standard location: $XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/Application Support on macOS, %APPDATA% on Windows. */
export function defaultConfigFile(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  let dir: string | undefined;
  if (platform === 'win32') dir = env.APPDATA;
  else if (platform === 'darwin') dir = env.HOME && path.join(env.HOME, 'Library', 'Application Support');
  else dir = env.XDG_CONFIG_HOME || (env.HOME && path.join(env.HOME, '.config'));
  return dir ? path.join(dir, 'temporalio', 'temporal.toml') : undefined;
}

/**
 * The Temporal connection settings of the environment: the chosen profile of the config file, with
 * the TEMPORAL_* variables laid over it. Throws TemporalProfileError naming the file, profile and key
 * for anything wrong (an unreadable file, a profile that is not there, a bad value).
 */
export function loadTemporalProfile(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): TemporalProfile {
  const explicitFile = nonEmpty(env.TEMPORAL_CONFIG_FILE);
  const file = explicitFile ?? defaultConfigFile(env, platform);
  const profileName = nonEmpty(env.TEMPORAL_PROFILE) ?? DEFAULT_PROFILE;

  let fromFile: FileProfile = {};
  let source: string | undefined;
  if (file && existsSync(file)) {
    const profiles = readProfiles(file);
    const chosen = profiles[profileName];
    if (chosen) {
      fromFile = chosen;
      source = `profile ${profileName} of ${file}`;
    } else if (env.TEMPORAL_PROFILE) {
      const known = Object.keys(profiles);
      throw new TemporalProfileError(`TEMPORAL_PROFILE: ${file} has no profile ${profileName} (it has: ${known.length > 0 ? known.join(', ') : 'none'})`);
    }
  } else if (explicitFile) {
    throw new TemporalProfileError(`TEMPORAL_CONFIG_FILE: ${explicitFile} does not exist`);
  } else if (env.TEMPORAL_PROFILE) {
    throw new TemporalProfileError(`TEMPORAL_PROFILE: profile ${profileName} was asked for, but there is no config file (${file ?? 'no standard location: HOME is not set'}); set TEMPORAL_CONFIG_FILE`);
  }

  const where = (key: string) => `profile.${profileName}.${key} in ${file}`;
  const tlsTable = fromFile.tls;
  if (tlsTable?.disable_host_verification || envFlag(env, 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION')) {
    throw new TemporalProfileError(`${tlsTable?.disable_host_verification ? where('tls.disable_host_verification') : 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION'}: not supported by the Temporal TypeScript SDK; give the server's CA (server_ca_cert_path) or its name (server_name) instead`);
  }
  const tlsFiles: TemporalTlsFiles = {
    clientCert: material(env, 'TEMPORAL_TLS_CLIENT_CERT', tlsTable?.client_cert_path, tlsTable?.client_cert_data, where('tls.client_cert')),
    clientKey: material(env, 'TEMPORAL_TLS_CLIENT_KEY', tlsTable?.client_key_path, tlsTable?.client_key_data, where('tls.client_key')),
    serverCaCert: material(env, 'TEMPORAL_TLS_SERVER_CA_CERT', tlsTable?.server_ca_cert_path, tlsTable?.server_ca_cert_data, where('tls.server_ca_cert')),
    serverName: nonEmpty(env.TEMPORAL_TLS_SERVER_NAME) ?? tlsTable?.server_name,
  };
  if ((tlsFiles.clientCert === undefined) !== (tlsFiles.clientKey === undefined)) {
    throw new TemporalProfileError(`TLS: a client certificate needs its key and a key its certificate (${tlsFiles.clientCert ? 'client key' : 'client certificate'} missing)`);
  }

  const grpcMeta: Record<string, string> = {};
  for (const [key, value] of Object.entries(fromFile.grpc_meta ?? {})) grpcMeta[headerName(key)] = value;
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('TEMPORAL_GRPC_META_') && value !== undefined) grpcMeta[headerName(key.slice('TEMPORAL_GRPC_META_'.length))] = value;
  }

  const explicitTls = envFlag(env, 'TEMPORAL_TLS') ?? (tlsTable?.disabled !== undefined ? !tlsTable.disabled : tlsTable ? true : undefined);
  return {
    source,
    address: nonEmpty(env.TEMPORAL_ADDRESS) ?? fromFile.address,
    namespace: nonEmpty(env.TEMPORAL_NAMESPACE) ?? fromFile.namespace,
    apiKey: nonEmpty(env.TEMPORAL_API_KEY) ?? fromFile.api_key,
    tls: explicitTls,
    tlsFiles,
    grpcMeta,
  };
}

function readProfiles(file: string): Record<string, FileProfile> {
  let parsed: unknown;
  try {
    parsed = parseToml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TemporalProfileError(`${file}: not a readable TOML file: ${(err as Error).message.split('\n')[0]}`);
  }
  const checked = fileSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new TemporalProfileError(`${issue.path.join('.')} in ${file}: ${issue.message}`);
  }
  return checked.data.profile ?? {};
}

/** A certificate or key from the environment (path or data) or the file (path or data); the environment wins. */
function material(env: NodeJS.ProcessEnv, variable: string, filePath: string | undefined, fileData: string | undefined, fileKey: string): Buffer | undefined {
  const envPath = nonEmpty(env[`${variable}_PATH`]);
  const envData = nonEmpty(env[`${variable}_DATA`]);
  if (envPath && envData) throw new TemporalProfileError(`${variable}_PATH and ${variable}_DATA: set one, not both`);
  if (filePath && fileData && !envPath && !envData) throw new TemporalProfileError(`${fileKey}_path and ${fileKey}_data: set one, not both`);
  if (envData) return Buffer.from(envData);
  if (envPath) return readMaterial(envPath, `${variable}_PATH`);
  if (fileData) return Buffer.from(fileData);
  if (filePath) return readMaterial(filePath, `${fileKey}_path`);
  return undefined;
}

function readMaterial(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TemporalProfileError(`${what}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** true/false/1/0 as the envconfig standard spells booleans (and on/off, yes/no, as our other variables do). */
function envFlag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === undefined) return undefined;
  if (['true', '1', 'on', 'yes'].includes(raw)) return true;
  if (['false', '0', 'off', 'no'].includes(raw)) return false;
  throw new TemporalProfileError(`${name}: must be true or false`);
}

function headerName(key: string): string {
  return key.toLowerCase().replace(/_/g, '-');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
