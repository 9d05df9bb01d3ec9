// Temporal envconfig profiles (TOML) beside environment variables: the file found where the standard
// says, the profile TEMPORAL_PROFILE names, the variables winning, TLS material read, and every
// mistake refused with the file, profile or variable named.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../runtime/config';
import { defaultConfigFile, loadTemporalProfile } from '../runtime/temporalProfile';
import { temporalConnectionOptions } from '../runtime/temporalConnection';

let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'envconfig-'));
  file = path.join(dir, 'temporal.toml');
  await writeFile(path.join(dir, 'client.pem'), 'CERT');
  await writeFile(path.join(dir, 'client.key'), 'KEY');
  await writeFile(
    file,
    [
      '[profile.default]',
      'address = "localhost:7233"',
      '',
      '[profile.prod]',
      'address = "prod.tmprl.example:7233"',
      'namespace = "music-prod"',
      'api_key = "from-the-file"',
      'unknown_key = "ignored, as the SDKs do"',
      '[profile.prod.grpc_meta]',
      'team_name = "music"',
      '',
      '[profile.mtls]',
      'address = "mtls.example:7233"',
      '[profile.mtls.tls]',
      `client_cert_path = "${path.join(dir, 'client.pem')}"`,
      `client_key_path = "${path.join(dir, 'client.key')}"`,
      'server_name = "temporal.internal"',
      '',
      '[profile.plain]',
      'address = "plain.example:7233"',
      'api_key = "k"',
      '[profile.plain.tls]',
      'disabled = true',
    ].join('\n'),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Temporal envconfig profiles', () => {
  it('reads the named profile, and the variables win over it', () => {
    const config = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    expect(config.temporal).toMatchObject({ address: 'prod.tmprl.example:7233', namespace: 'music-prod', apiKey: 'from-the-file', tls: true, grpcMeta: { 'team-name': 'music' } });
    expect(config.temporal.profileSource).toBe(`profile prod of ${file}`);

    const overridden = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_ADDRESS: 'other:7233', TEMPORAL_NAMESPACE: 'ns2', TEMPORAL_API_KEY: 'from-env', TEMPORAL_GRPC_META_TEAM_NAME: 'env' });
    expect(overridden.temporal).toMatchObject({ address: 'other:7233', namespace: 'ns2', apiKey: 'from-env', grpcMeta: { 'team-name': 'env' } });
  });

  it('uses the default profile when none is named, and nothing at all without a file', () => {
    expect(loadConfig({ TEMPORAL_CONFIG_FILE: file }).temporal.address).toBe('localhost:7233');
    // No file and no address: the embedded dev server, as before.
    const bare = loadConfig({});
    expect(bare.temporal).toMatchObject({ address: undefined, namespace: 'default', tls: false, grpcMeta: {} });
  });

  it('finds temporal.toml in the standard place', async () => {
    const home = path.join(dir, 'home');
    await mkdir(path.join(home, '.config', 'temporalio'), { recursive: true });
    await writeFile(path.join(home, '.config', 'temporalio', 'temporal.toml'), '[profile.default]\naddress = "from-home:7233"\n');
    expect(defaultConfigFile({ HOME: home }, 'linux')).toBe(path.join(home, '.config', 'temporalio', 'temporal.toml'));
    expect(defaultConfigFile({ XDG_CONFIG_HOME: '/xdg', HOME: home }, 'linux')).toBe(path.join('/xdg', 'temporalio', 'temporal.toml'));
    expect(defaultConfigFile({ HOME: '/Users/me' }, 'darwin')).toBe(path.join('/Users/me', 'Library', 'Application Support', 'temporalio', 'temporal.toml'));
    expect(loadTemporalProfile({ HOME: home }, 'linux').address).toBe('from-home:7233');
  });

  it('reads TLS material for mTLS and honours tls.disabled, with TEMPORAL_TLS over both', () => {
    const mtls = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'mtls' });
    const options = temporalConnectionOptions(mtls.temporal, mtls.temporal.address!);
    expect(options.tls).toEqual({ clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') }, serverNameOverride: 'temporal.internal' });

    expect(loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'plain' }).temporal.tls).toBe(false);
    expect(loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'plain', TEMPORAL_TLS: 'true' }).temporal.tls).toBe(true);
    expect(temporalConnectionOptions(loadConfig({}).temporal, '127.0.0.1:7233')).toEqual({ address: '127.0.0.1:7233', tls: false, apiKey: undefined });
  });

  it('refuses mistakes, naming what is wrong', async () => {
    expect(() => loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' })).toThrow(`TEMPORAL_PROFILE: ${file} has no profile staging (it has: default, prod, mtls, plain)`);
    expect(() => loadConfig({ TEMPORAL_CONFIG_FILE: path.join(dir, 'missing.toml') })).toThrow(/TEMPORAL_CONFIG_FILE: .*missing\.toml does not exist/);

    const bad = path.join(dir, 'bad.toml');
    await writeFile(bad, '[profile.default]\naddress = "no-port"\n');
    expect(() => loadConfig({ TEMPORAL_CONFIG_FILE: bad })).toThrow(`profile.default.address in ${bad}: must be host:port`);
    await writeFile(bad, '[profile.default\naddress = 1');
    expect(() => loadConfig({ TEMPORAL_CONFIG_FILE: bad })).toThrow(/not a readable TOML file/);
    await writeFile(bad, `[profile.default.tls]\nclient_cert_path = "${path.join(dir, 'client.pem')}"\n`);
    expect(() => loadConfig({ TEMPORAL_CONFIG_FILE: bad })).toThrow(/client certificate needs its key/);
    expect(() => loadConfig({ TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'nope.pem'), TEMPORAL_TLS_CLIENT_KEY_DATA: 'k' })).toThrow(/TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read .*nope\.pem \(ENOENT\)/);
  });

  it('never puts the API key in an error message', () => {
    let message = '';
    try {
      loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_TLS: 'maybe' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/TEMPORAL_TLS/);
    expect(message).not.toContain('from-the-file');
  });
});
