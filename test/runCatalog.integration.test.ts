// `music status`, `list` and `show` on the real stack (dev server, worker, callback endpoint,
// simulator over loopback), run as a user runs them: the installed command (`node bin/music.js …`)
// in child processes. A song, a pipeline, a song the provider refuses and a song whose submit answer
// is lost are made through the same command; then what the read commands print (--json and text),
// their filters and their exit codes are checked against what happened.
import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipelineStack, type PipelineStack } from './helpers/pipelineStack';
import type { RunDetail, RunSummary } from '../client/runCatalog';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(PROJECT, 'bin/music.js');

let env: PipelineStack;
let outDir: string;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a user whose shell sets nothing of ours, pointed at the test stack. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(MUSIC_|CALLBACK|TEMPORAL_|SIMULATOR_|OUT_DIR$)|_(BASE_URL|API_KEY)$/.test(key)) continue;
    clean[key] = value;
  }
  // MUSIC_CONFIG names a file that does not exist… which is an error; an empty object file keeps a developer's own config out.
  return { ...clean, NO_COLOR: '1', TEMPORAL_ADDRESS: env.stack.address, OUT_DIR: outDir, MUSIC_CONFIG: path.join(env.scratch, 'empty-config.json'), ...extra };
}

function music(args: string[], extra: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: PROJECT, env: userEnv(extra), timeout: 240_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

async function json<T>(args: string[], expectedCode = 0): Promise<T> {
  const out = await music([...args, '--json']);
  expect(out.code, `music ${args.join(' ')}: ${out.stderr}`).toBe(expectedCode);
  return JSON.parse(out.stdout) as T;
}

async function setFaults(rules: unknown[]): Promise<void> {
  const response = await fetch(`${env.stack.simulatorUrl}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules }) });
  expect(response.status).toBe(200);
}

const ids = { song: '', pipeline: '', refused: '', stuck: '' };

beforeAll(async () => {
  env = await startPipelineStack('run-catalog-', 4);
  outDir = path.join(env.scratch, 'out');
  await writeFile(path.join(env.scratch, 'empty-config.json'), '{}');
  await writeFile(
    path.join(env.scratch, 'tiny.yaml'),
    'name: tiny\nprovider: newapi\nsteps:\n  song: { kind: song, prompt: a short bright jingle, style: pop, instrumental: true }\n',
  );

  const song = await music(['song', '--prompt', 'rain on a tin roof', '--steps', 'lyrics,song', '--json']);
  expect(song.code, song.stderr).toBe(0);
  ids.song = (JSON.parse(song.stdout) as { workflowId: string }).workflowId;

  const pipeline = await music(['pipeline', path.join(env.scratch, 'tiny.yaml'), '--json']);
  expect(pipeline.code, pipeline.stderr).toBe(0);
  ids.pipeline = (JSON.parse(pipeline.stdout) as { workflowId: string }).workflowId;

  // acedata refuses the lyrics: the run fails at once, unpaid.
  await setFaults([{ fault: 'rejected', match: 'POST /suno/lyrics' }]);
  const refused = await music(['song', '--prompt', 'a refused song', '--provider', 'acedata', '--steps', 'lyrics,song', '--json']);
  expect(refused.code, refused.stderr).toBe(1);
  ids.refused = (JSON.parse(refused.stdout) as { workflowId: string }).workflowId;
}, 600_000);

afterAll(async () => {
  await env?.stop();
});

describe('music list', () => {
  it('lists every run, newest first, with its kind, state and provider', async () => {
    const { runs } = await json<{ runs: RunSummary[] }>(['list']);
    expect(runs.map((r) => r.workflowId)).toEqual([ids.refused, ids.pipeline, ids.song]);
    expect(runs.map((r) => [r.kind, r.state, r.provider])).toEqual([
      ['song', 'failed', 'acedata'],
      ['pipeline', 'succeeded', 'newapi'],
      ['song', 'succeeded', 'anyint'],
    ]);
    for (const r of runs) expect(Date.parse(r.closedAt!)).toBeGreaterThanOrEqual(Date.parse(r.startedAt));
  });

  it('filters by state, provider and kind, on the server and in the table', async () => {
    expect((await json<{ runs: RunSummary[] }>(['list', '--state', 'failed'])).runs.map((r) => r.workflowId)).toEqual([ids.refused]);
    expect((await json<{ runs: RunSummary[] }>(['list', '--provider', 'newapi'])).runs.map((r) => r.workflowId)).toEqual([ids.pipeline]);
    expect((await json<{ runs: RunSummary[] }>(['list', '--kind', 'song', '--state', 'succeeded'])).runs.map((r) => r.workflowId)).toEqual([ids.song]);
    expect((await json<{ runs: RunSummary[] }>(['list', '--kind', 'album'])).runs).toEqual([]);
    const text = await music(['list', '--provider', 'anyint']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(ids.song);
    expect(text.stdout).not.toContain(ids.pipeline);
    expect(text.stdout).toMatch(/succeeded\s+song/);
  });

  it('refuses a state it does not know with exit 2, naming the choices', async () => {
    const out = await music(['list', '--state', 'finished']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--state.*finished.*running, awaiting-choice, needs-attention, succeeded, partial, failed/);
    expect(out.stdout).toBe('');
  });
});

describe('music show', () => {
  it("tells a finished song: folder, steps, and the files its track.json lists; a unique prefix or the folder names it too", async () => {
    const byId = await json<RunDetail>(['show', ids.song]);
    expect(byId).toMatchObject({ workflowId: ids.song, kind: 'song', state: 'succeeded', provider: 'anyint', failures: [] });
    expect(byId.outDir).toBe(path.join(outDir, 'singles', ids.song));
    expect(byId.steps?.map((s) => [s.step, s.state])).toEqual([
      ['lyrics', 'done'],
      ['song', 'done'],
    ]);
    expect(byId.record?.file).toBe(path.join(byId.outDir!, 'track.json'));
    expect(byId.record?.files.map((f) => f.file)).toEqual(expect.arrayContaining(['lyrics.txt', 'song.mp3']));

    expect((await json<RunDetail>(['show', ids.song.slice(0, 12)])).workflowId).toBe(ids.song);
    expect((await json<RunDetail>(['show', byId.outDir!])).workflowId).toBe(ids.song);

    const text = await music(['show', ids.song]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`folder     ${byId.outDir}`);
    expect(text.stdout).toMatch(/song\.mp3\s+audio/);
  });

  it('tells a pipeline from its result and pipeline.json', async () => {
    const detail = await json<RunDetail>(['show', ids.pipeline]);
    expect(detail).toMatchObject({ kind: 'pipeline', state: 'succeeded', title: 'tiny', provider: 'newapi' });
    expect(detail.record?.file).toBe(path.join(detail.outDir!, 'pipeline.json'));
    expect(detail.record?.files.map((f) => f.file)).toContain('song.mp3');
  });

  it("tells a failed run's failure, the step that failed, and exits 1", async () => {
    const detail = await json<RunDetail>(['show', ids.refused], 1);
    expect(detail.state).toBe('failed');
    expect(detail.failures.map((f) => f.error).join('\n')).toContain('request refused (injected fault)');
    expect(detail.steps?.find((s) => s.step === 'lyrics')).toMatchObject({ state: 'failed' });
    const text = await music(['show', ids.refused]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/lyrics\s+failed\s+acedata error/);
  });

  it('refuses a run that does not exist, and a prefix that names several, with exit 2', async () => {
    const none = await music(['show', 'song-never-made']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no run song-never-made/);
    const several = await music(['show', 'song-', '--json']);
    expect(several.code).toBe(2);
    expect(JSON.parse(several.stdout).error).toMatch(/song- names several runs: .*song-a-refused-song/);
  });
});

describe('a run waiting for an operator', () => {
  it('shows in status (exit 4) and show; the song command exits 130 on Ctrl-C and the run goes on; resolve --json settles it', async () => {
    // newapi's song submit goes out and the connection is cut: nobody knows whether it was made.
    await setFaults([{ fault: 'cut', match: 'POST /suno/submit/music' }]);
    const child = spawn(process.execPath, [BIN, 'song', '--prompt', 'an unknown outcome', '--provider', 'newapi', '--steps', 'song'], { cwd: PROJECT, env: userEnv() });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    let status: { needingAttention: RunSummary[]; counts: Record<string, number> } | undefined;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const out = await music(['status', '--json']);
      status = JSON.parse(out.stdout);
      if (out.code === 4) break;
      expect(out.code, out.stderr).toBe(0);
      expect(Date.now(), `no run reached needs-attention; song said: ${stderr}`).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    ids.stuck = status!.needingAttention[0]!.workflowId;
    expect(status!.needingAttention.map((r) => [r.workflowId, r.state, r.provider])).toEqual([[ids.stuck, 'needs-attention', 'newapi']]);
    expect(status!.counts).toMatchObject({ succeeded: 2, failed: 1, 'needs-attention': 1 });

    child.kill('SIGINT');
    expect(await exited).toBe(130);

    const detail = await json<RunDetail>(['show', ids.stuck], 4);
    expect(detail.needsAttention?.map((w) => w.stepId)).toEqual(['song']);
    const text = await music(['status']);
    expect(text.code).toBe(4);
    expect(text.stdout).toMatch(/waiting for a person/);
    expect(text.stdout).toContain(ids.stuck);

    const resolved = await json<{ workflowId: string; resolved: string; action: string }>(['resolve', ids.stuck, '--abandon']);
    expect(resolved).toEqual({ workflowId: ids.stuck, resolved: 'song', action: 'abandon' });
    // Abandoned, the step fails and so does the run (no worker of this process is needed: the stack's runs it).
    const end = Date.now() + 60_000;
    for (;;) {
      const { runs } = await json<{ runs: RunSummary[] }>(['list', '--state', 'failed']);
      if (runs.some((r) => r.workflowId === ids.stuck)) break;
      expect(Date.now()).toBeLessThan(end);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect((await music(['status'])).code).toBe(0);
  });
});

describe('configuration file and exit codes', () => {
  it('a bad key in the file MUSIC_CONFIG names is refused with exit 2, naming the key and the file', async () => {
    const file = path.join(env.scratch, 'bad-config.json');
    await writeFile(file, JSON.stringify({ MUSIC_PROVIDR: 'acedata' }));
    const out = await music(['list'], { MUSIC_CONFIG: file });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(file);
    expect(out.stderr).toMatch(/MUSIC_PROVIDR: unknown key \(did you mean MUSIC_PROVIDER\?\)/);
  });

  it("the file's provider is the default, and the environment wins over it", async () => {
    const file = path.join(env.scratch, 'provider-config.json');
    await writeFile(file, JSON.stringify({ MUSIC_PROVIDER: 'aimusicapi' }));
    // aimusicapi has no wav step: the refusal names the provider the configuration chose, before anything starts.
    const fromFile = await music(['song', '--prompt', 'x', '--steps', 'song,wav'], { MUSIC_CONFIG: file });
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toMatch(/provider aimusicapi does not offer step\(s\) wav/);
    const fromEnv = await music(['song', '--prompt', 'x', '--steps', 'song,stems'], { MUSIC_CONFIG: file, MUSIC_PROVIDER: 'newapi' });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toMatch(/provider newapi does not offer step\(s\) stems/);
  });
});
