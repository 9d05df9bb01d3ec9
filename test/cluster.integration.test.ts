// Past one machine, as an operator deploys it: a Temporal server that has never seen us (no
// namespace, no search attributes), `npm run setup-cluster` against it (through a Temporal envconfig
// profile, then through environment variables: the second time it changes nothing), then the
// processes of a deployment, each on its own: the simulator, `npm run callbacks`, `npm run worker`
// with METRICS_PORT. A song runs through them; its search attributes are set on the server, and
// the Prometheus endpoints of the worker and the callback process show what happened: steps
// finished, paid submits and credits, bytes stored, webhooks received, and the SDK's own metrics.
// When Debian's prometheus binary is installed, a real Prometheus scrapes both endpoints too.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../client/connect';
import { MusicProvider, MusicState } from '../contracts/searchAttributes';
import type { SongPipelineInput, SongPipelineResult } from '../contracts/songPipeline';
import { startDevServer, type DevServer } from '../runtime/devServer';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NAMESPACE = 'music-cluster';
const SECRET = 'cluster-test-callback-secret';

let server: DevServer;
let scratch: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cluster-it-'));
  // A fresh server without our search attributes: what setup-cluster is for.
  server = await startDevServer({ port: 0, ui: false, dbFile: path.join(scratch, 'temporal.db'), searchAttributes: [], log: (line) => console.log(`[dev server] ${line}`) });
}, 120_000);

afterAll(async () => {
  await Promise.all(children.map((child) => stopChild(child)));
  await server?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Runs a script to completion (node --import tsx, as npm run does), with only the given environment on top of PATH/HOME-less defaults. */
function runScript(script: string, env: Record<string, string>, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts a long-lived script; resolves once a line of its output matches `ready`. */
function startScript(name: string, script: string, env: Record<string, string>, args: string[], ready: RegExp): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => ready.test(l));
      if (line) resolve({ child, line });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stderr.write(`[${name}] ${chunk.toString()}`);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready:\n${output}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function customAttributes(): Promise<Record<string, unknown>> {
  const connection = await Connection.connect({ address: server.address });
  try {
    return (await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE })).customAttributes ?? {};
  } finally {
    await connection.close();
  }
}

/** The value of one sample in a Prometheus exposition text (labels given must all match); summed over the rest. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
    found = true;
    total += Number(match[3]);
  }
  return found ? total : Number.NaN;
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

describe('a deployment on a cluster: setup-cluster, then worker, callbacks and simulator as processes of their own', () => {
  it('setup-cluster registers the namespace and our search attributes from a Temporal profile, and changes nothing the second time', async () => {
    expect(await customAttributes().catch(() => ({}))).not.toHaveProperty('MusicProvider');

    // First through a Temporal envconfig profile (TOML), as `temporal config set` writes it.
    const configFile = path.join(scratch, 'temporal.toml');
    await writeFile(configFile, `[profile.default]\naddress = "127.0.0.1:1"\n\n[profile.cluster]\naddress = "${server.address}"\nnamespace = "${NAMESPACE}"\n`);
    const first = runScript('scripts/setup-cluster.ts', { TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'cluster' });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`profile cluster of ${configFile}`);
    expect(first.stdout).toContain(`namespace ${NAMESPACE}: created`);
    for (const name of ['MusicProvider', 'MusicAlbum', 'MusicStep', 'MusicState']) expect(first.stdout).toContain(`search attribute ${name} (KEYWORD): added`);
    expect(Object.keys(await customAttributes())).toEqual(expect.arrayContaining(['MusicProvider', 'MusicAlbum', 'MusicStep', 'MusicState']));

    // Then through environment variables, which win over the profile's address.
    const second = runScript('scripts/setup-cluster.ts', { TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: NAMESPACE });
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(`namespace ${NAMESPACE}: exists`);
    expect(second.stdout).not.toMatch(/added|created/);
    expect(second.stdout).toContain('ready: nothing to change');

    const check = runScript('scripts/setup-cluster.ts', { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: NAMESPACE }, ['--check']);
    expect(check.status).toBe(0);
    // The default namespace was never set up: --check says so and fails, changing nothing.
    const unready = runScript('scripts/setup-cluster.ts', { TEMPORAL_ADDRESS: server.address }, ['--check']);
    expect(unready.status).toBe(1);
    expect(unready.stdout).toContain('search attribute MusicProvider (KEYWORD): missing');
  }, 180_000);

  it('runs a song through a worker, a callback process and the simulator, with its search attributes set and its metrics scraped', async () => {
    const [simulatorPort, callbackPort, workerMetricsPort, callbackMetricsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const temporal = { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: NAMESPACE, CALLBACK_SECRET: SECRET, CALLBACK_PORT: String(callbackPort) };
    const [simulator, callbacks] = await Promise.all([
      startScript('simulator', 'scripts/simulator.ts', {}, ['--port', String(simulatorPort), '--stage-delays', '300,600,900', '--clip-seconds', '4'], /^http:\/\//),
      startScript('callbacks', 'scripts/callbacks.ts', { ...temporal, METRICS_PORT: String(callbackMetricsPort), METRICS_HOST: '127.0.0.1' }, [], /callback endpoint at/),
    ]);
    const worker = await startScript(
      'worker',
      'scripts/worker.ts',
      { ...temporal, SIMULATOR_URL: simulator.line.trim(), METRICS_PORT: String(workerMetricsPort), METRICS_HOST: '127.0.0.1', WORKER_EXIT_WITH_PID: String(process.pid) },
      [],
      /worker polling task queue/,
    );
    expect(callbacks.line).toContain(`127.0.0.1:${callbackPort}`);
    const workerMetrics = `http://127.0.0.1:${workerMetricsPort}/metrics`;
    const callbackMetrics = `http://127.0.0.1:${callbackMetricsPort}/metrics`;

    const before = await scrape(workerMetrics);
    expect(Number.isNaN(sample(before, 'music_paid_submits_total'))).toBe(true);

    const client = await connectClient({ address: server.address, namespace: NAMESPACE });
    try {
      const input: SongPipelineInput = {
        provider: 'anyint',
        request: { prompt: 'a calm piano piece about rain on a cluster', instrumental: false },
        steps: ['lyrics', 'song', 'wav'],
        outDir: path.join(scratch, 'out', 'cluster-song'),
        callbacks: true,
      };
      const handle = await client.workflow.start('songPipeline', {
        taskQueue: 'music-pipelines',
        workflowId: 'cluster-song',
        args: [input],
        typedSearchAttributes: [{ key: MusicProvider, value: 'anyint' }],
      });
      // Scraped while the run is going: the endpoint answers during the work, not only after it.
      const during = await scrape(workerMetrics);
      expect(during).toContain('# TYPE music_steps_started_total counter');
      const result: SongPipelineResult = await handle.result();
      expect(result.artifacts.some((a) => a.kind === 'audio')).toBe(true);

      const description = await handle.describe();
      expect(description.status.name).toBe('COMPLETED');
      expect(description.typedSearchAttributes.get(MusicProvider)).toBe('anyint');
      expect(description.typedSearchAttributes.get(MusicState)).toBe('succeeded');
      // The server indexes them: the run is found by its attributes.
      let listed: string[] = [];
      for (let i = 0; i < 40 && listed.length === 0; i++) {
        for await (const run of client.workflow.list({ query: `MusicProvider = "anyint" AND MusicState = "succeeded"` })) listed.push(run.workflowId);
        if (listed.length === 0) await new Promise((r) => setTimeout(r, 500));
      }
      expect(listed).toContain('cluster-song');

      const storedBytes = result.artifacts.reduce((sum, a) => sum + a.bytes, 0);
      const after = await scrape(workerMetrics);
      for (const kind of ['lyrics', 'song', 'wav']) {
        expect(sample(after, 'music_steps_started_total', { provider: 'anyint', kind }), `${kind} started`).toBe(1);
        expect(sample(after, 'music_steps_finished_total', { provider: 'anyint', kind, outcome: 'succeeded' }), `${kind} finished`).toBe(1);
        expect(sample(after, 'music_paid_submits_total', { provider: 'anyint', kind }), `${kind} paid`).toBe(1);
      }
      expect(sample(after, 'music_credits_spent_total', { provider: 'anyint' })).toBeGreaterThan(0);
      // Every file the run lists (track.json included) was counted as it was written.
      expect(sample(after, 'music_bytes_stored_total')).toBeGreaterThanOrEqual(storedBytes);
      expect(sample(after, 'music_provider_tasks_in_flight', { provider: 'anyint' })).toBe(0);
      expect(after).toContain('# TYPE music_provider_done_noticed_seconds histogram');
      // The Temporal SDK's own metrics, merged into the same answer.
      expect(sample(after, 'music_sdk_metrics_up')).toBe(1);
      expect(after).toMatch(/^temporal_\w+/m);
      expect(sample(after, 'temporal_activity_execution_latency_count')).toBeGreaterThan(0);

      // A forged webhook is refused and counted by the callback process.
      const forged = await fetch(`http://127.0.0.1:${callbackPort}/callbacks/not-a-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(forged.status).toBe(401);
      const hooks = await scrape(callbackMetrics);
      expect(sample(hooks, 'music_webhooks_received_total', { provider: 'anyint' })).toBeGreaterThan(0);
      expect(sample(hooks, 'music_webhooks_signalled_total', { provider: 'anyint', stage: 'complete' })).toBeGreaterThan(0);
      expect(sample(hooks, 'music_webhooks_refused_total', { reason: 'token' })).toBe(1);
      expect(sample(hooks, 'music_webhooks_received_total', { provider: 'unknown' })).toBe(1);

      await prometheusScrapes([workerMetrics, callbackMetrics]);
    } finally {
      await client.connection.close();
    }
    for (const child of [worker.child, callbacks.child, simulator.child]) await stopChild(child);
    expect(worker.child.exitCode ?? worker.child.signalCode).toBe(0);
    expect(callbacks.child.exitCode).toBe(0);
  }, 300_000);
});

/**
 * A real Prometheus (Debian's `prometheus` package) scraping both endpoints, when it is installed:
 * the exposition must be something Prometheus itself accepts, not only what our parser reads.
 */
async function prometheusScrapes(targets: string[]): Promise<void> {
  const binary = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  if (binary.status !== 0) {
    console.warn('prometheus binary not installed (apt-get install prometheus): skipping the real Prometheus scrape');
    return;
  }
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'prometheus-'));
  const hosts = targets.map((t) => new URL(t).host);
  await writeFile(path.join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: music\n    static_configs:\n      - targets: [${hosts.map((h) => `"${h}"`).join(', ')}]\n`);
  const prometheus = spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  children.push(prometheus);
  try {
    const query = async (q: string) => {
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`).catch(() => undefined);
      if (!response?.ok) return [];
      return ((await response.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
    };
    let up: { metric: Record<string, string>; value: [number, string] }[] = [];
    let paid: typeof up = [];
    for (let i = 0; i < 120 && (up.filter((r) => r.value[1] === '1').length < hosts.length || paid.length === 0); i++) {
      await new Promise((r) => setTimeout(r, 500));
      up = await query('up{job="music"}');
      paid = await query('sum(music_paid_submits_total)');
    }
    expect(up.map((r) => [r.metric.instance, r.value[1]]).sort()).toEqual(hosts.map((h) => [h, '1']).sort());
    expect(Number(paid[0]?.value[1])).toBe(3);
    expect((await query('music_webhooks_signalled_total')).length).toBeGreaterThan(0);
  } finally {
    await stopChild(prometheus);
    await rm(dir, { recursive: true, force: true });
  }
}
