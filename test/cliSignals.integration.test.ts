// Ctrl-C and SIGTERM as a user sends them: the real scripts (`scripts/song.ts`, `scripts/start.ts`)
// run in a process group of their own with the real embedded stack, and the signal goes to the whole
// group, as a terminal's Ctrl-C does. Each command must exit within seconds, print no stack trace,
// leave no process behind, never start the dev server again, and keep the run: the same command run
// again attaches to it and finishes it. One case holds an activity stuck in a provider request that
// never answers (the simulator's "hang" fault), which the worker cannot cancel.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));

let scratch: string;
const started: ChildProcess[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'cli-signals-'));
});

afterEach(() => {
  // A failed case must not leave its command running: end its group (and so everything in it).
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A case's own database, simulator state, output folder and ports; nothing from the user's shell. */
async function caseEnv(name: string, extra: Record<string, string> = {}): Promise<{ env: NodeJS.ProcessEnv; simulatorUrl: string; outDir: string }> {
  const root = await mkdtemp(path.join(scratch, `${name}-`));
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(MUSIC_|CALLBACK|TEMPORAL_|SIMULATOR_|OUT_DIR$|PROVIDER_TIMEOUT_MS$)|_(BASE_URL|API_KEY)$/.test(key)) continue;
    env[key] = value;
  }
  const simulatorPort = await freePort();
  const outDir = path.join(root, 'out');
  Object.assign(env, {
    FORCE_COLOR: '0',
    MUSIC_DATA_DIR: path.join(root, 'data'),
    OUT_DIR: outDir,
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    CALLBACK_PORT: String(await freePort()),
    SIMULATOR_PORT: String(simulatorPort),
    CALLBACK_SECRET: 'cli-signals-test-secret',
    ...extra,
  });
  return { env, simulatorUrl: `http://127.0.0.1:${simulatorPort}`, outDir };
}

interface Command {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `node --import tsx <script>` as the leader of a new process group (what a terminal's foreground job is). */
function run(script: string, args: string[], env: NodeJS.ProcessEnv): Command {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: PROJECT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Parent pid and state of a process from /proc, or undefined when it is gone. */
async function procStat(pid: number): Promise<{ ppid: number; state: string } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: the fields after it are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/** Every process below `root` (children, their children...), whatever their process group. */
async function descendants(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await procStat(Number(entry));
    if (stat) parents.set(Number(entry), stat.ppid);
  }
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = [...parents].filter(([, ppid]) => frontier.includes(ppid)).map(([pid]) => pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

async function isAlive(pid: number): Promise<boolean> {
  const stat = await procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/** Sends `signal` to the command's whole process group and measures how long it takes to exit. */
async function signalGroup(command: Command, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; seconds: number }> {
  const at = Date.now();
  process.kill(-command.child.pid!, signal);
  const outcome = await command.exited;
  return { ...outcome, seconds: (Date.now() - at) / 1000 };
}

async function expectAllGone(pids: number[]): Promise<void> {
  // Orphans are reaped by init a moment after their parent exits.
  await until(`processes ${pids.join(', ')} to end`, async () => (await Promise.all(pids.map(isAlive))).every((alive) => !alive), 10_000).catch(() => {});
  const alive = [];
  for (const pid of pids) if (await isAlive(pid)) alive.push(pid);
  expect(alive, 'processes left behind').toEqual([]);
}

/** What a clean stop must never print. */
function expectNoCrashOutput(text: string): void {
  expect(text).not.toMatch(/Channel has been shut down/);
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // a stack trace frame
  expect(text).not.toMatch(/stopped unexpectedly|started again/);
}

const SONG = ['--prompt', 'rain on a tin roof at night', '--steps', 'lyrics,song'];
const RUN_LINE = /^run (song-\S+) \((\S+)\)$/m;

describe('Ctrl-C and SIGTERM on the real scripts', () => {
  it('song: Ctrl-C mid-run exits 130 within seconds, leaves nothing running, and the same command then attaches and finishes the run', async () => {
    const { env } = await caseEnv('song-int');
    const first = run('scripts/song.ts', SONG, env);
    await until('the run to start', () => RUN_LINE.test(first.stderr()), 180_000);
    await until('the first progress line', () => /^\s*lyrics\s+\S/m.test(first.stderr()), 60_000);
    const pids = await descendants(first.child.pid!);
    expect(pids.length).toBeGreaterThan(0); // the dev server at least

    const outcome = await signalGroup(first, 'SIGINT');
    expect(outcome.code, first.stderr()).toBe(130);
    expect(outcome.seconds).toBeLessThan(30);
    expect(first.stderr()).toMatch(/interrupted: run song-\S+ is kept and continues the next time a worker runs/);
    expectNoCrashOutput(first.stderr());
    await expectAllGone(pids);

    const [, workflowId, runId] = RUN_LINE.exec(first.stderr())!;
    const second = run('scripts/song.ts', SONG, env);
    const end = await second.exited;
    expect(end.code, second.stderr()).toBe(0);
    expect(second.stderr()).toContain(`run ${workflowId}`);
    expect(second.stderr()).toContain(runId); // the same run, not a new one
    expect(second.stdout()).toMatch(/is ready: .*singles/);
    expectNoCrashOutput(second.stderr());
  }, 420_000);

  it('song: SIGTERM while an activity is stuck in a provider request exits 143 within seconds and leaves nothing running', async () => {
    // The provider's answer to every task query hangs for two minutes, longer than the test waits.
    const { env, simulatorUrl } = await caseEnv('song-stuck', { PROVIDER_TIMEOUT_MS: '120000' });
    const command = run('scripts/song.ts', [...SONG, '--no-callbacks'], env);
    await until('the simulator', () => /simulator at /.test(command.stderr()), 180_000);
    const armed = await fetch(`${simulatorUrl}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ fault: 'hang', on: 'query', times: 1000 }], hangMs: 120_000 }),
    });
    expect(armed.status).toBe(200);
    await until(
      'a task query to hang',
      async () => {
        const faults = (await (await fetch(`${simulatorUrl}/_sim/faults`)).json()) as { counts: Record<string, number> };
        return (faults.counts.hang ?? 0) > 0;
      },
      180_000,
    );
    const pids = await descendants(command.child.pid!);

    const outcome = await signalGroup(command, 'SIGTERM');
    expect(outcome.code, command.stderr()).toBe(143);
    expect(outcome.seconds).toBeLessThan(40);
    expectNoCrashOutput(command.stderr());
    await expectAllGone(pids);
  }, 420_000);

  it('song: Ctrl-C during start-up exits within seconds and leaves nothing running', async () => {
    const { env } = await caseEnv('song-startup');
    const command = run('scripts/song.ts', SONG, env);
    // The dev server is the first thing the stack starts: interrupt once it is there, before the worker is.
    let pids: number[] = [];
    await until(
      'the dev server to be started',
      async () => {
        pids = await descendants(command.child.pid!);
        return /Temporal dev server at/.test(command.stderr()) || pids.length > 1;
      },
      180_000,
    );
    pids = await descendants(command.child.pid!);
    const outcome = await signalGroup(command, 'SIGINT');
    expect(outcome.code === 130 || outcome.signal === 'SIGINT', command.stderr()).toBe(true);
    expect(outcome.seconds).toBeLessThan(30);
    expectNoCrashOutput(command.stderr());
    await expectAllGone(pids);
  }, 300_000);

  it('npm start: Ctrl-C stops everything in order, says so, exits 0, and starts nothing again', async () => {
    const { env } = await caseEnv('start-int');
    const command = run('scripts/start.ts', [], env);
    await until('the stack to be ready', () => /ready/.test(command.stdout()), 180_000);
    const pids = await descendants(command.child.pid!);
    expect(pids.length).toBeGreaterThan(0);

    const outcome = await signalGroup(command, 'SIGINT');
    expect(outcome.code, command.stdout() + command.stderr()).toBe(0);
    expect(outcome.seconds).toBeLessThan(30);
    expect(command.stdout()).toMatch(/SIGINT: stopping/);
    expect(command.stdout()).toMatch(/stopped$/m);
    expectNoCrashOutput(command.stdout() + command.stderr());
    await expectAllGone(pids);
  }, 300_000);

  it('npm start: a second SIGTERM exits at once and still takes the dev server with it', async () => {
    const { env } = await caseEnv('start-twice');
    const command = run('scripts/start.ts', [], env);
    await until('the stack to be ready', () => /ready/.test(command.stdout()), 180_000);
    const pids = await descendants(command.child.pid!);

    const at = Date.now();
    process.kill(-command.child.pid!, 'SIGTERM');
    // Soon after the first, while the worker is still being stopped (signals sent at once could merge).
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(-command.child.pid!, 'SIGTERM');
    const outcome = await command.exited;
    expect(outcome.code, command.stdout() + command.stderr()).toBe(143);
    expect((Date.now() - at) / 1000).toBeLessThan(15);
    expect(command.stdout()).toMatch(/SIGTERM again: exiting now/);
    expectNoCrashOutput(command.stdout() + command.stderr());
    await expectAllGone(pids);
  }, 300_000);
});
