// `npm run song` with bad input, as a user would run it (`npx tsx scripts/song.ts` in a child
// process): each mistake must end in a non-zero exit and a message naming what is wrong, before
// anything starts. TEMPORAL_ADDRESS points at a closed port, so a command that got as far as
// contacting Temporal fails with a different message ("no Temporal server answers"), and OUT_DIR is
// a fresh folder that must stay empty.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));

let scratch: string;
let closedAddress: string;
let files: { lyrics: string; empty: string; blank: string; long: string; binary: string; notAFile: string; aFile: string };

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'song-cli-bad-'));
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedAddress = `127.0.0.1:${(probe.address() as { port: number }).port}`;
  await new Promise((resolve) => probe.close(resolve));
  const inputs = path.join(scratch, 'inputs');
  await mkdir(inputs);
  files = {
    lyrics: path.join(inputs, 'lyrics.txt'),
    empty: path.join(inputs, 'empty.txt'),
    blank: path.join(inputs, 'blank.txt'),
    long: path.join(inputs, 'long.txt'),
    binary: path.join(inputs, 'binary.txt'),
    notAFile: inputs,
    aFile: path.join(inputs, 'a-file'),
  };
  await writeFile(files.lyrics, '[Verse]\nrain on the window\n');
  await writeFile(files.empty, '');
  await writeFile(files.blank, '  \n\t\n');
  await writeFile(files.long, 'la '.repeat(2000));
  await writeFile(files.binary, Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x62, 0x61, 0x64]));
  await writeFile(files.aFile, 'not a folder');
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The environment without anything that configures this project, so the user's shell cannot leak in. */
function cleanEnv(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(MUSIC_|CALLBACK|TEMPORAL_|SIMULATOR_|OUT_DIR$)|_(BASE_URL|API_KEY)$/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, FORCE_COLOR: '0', ...overrides };
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  outDirEntries: string[];
}

async function song(name: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  // A folder of its own per case: OUT_DIR inside it must not appear, nor anything else.
  const root = await mkdtemp(path.join(scratch, `${name.replace(/\W+/g, '-')}-`));
  const outDir = path.join(root, 'out');
  const resolvedArgs = args.map((a) => a.replace('{root}', root));
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', 'scripts/song.ts', ...resolvedArgs],
      { cwd: PROJECT, env: cleanEnv({ TEMPORAL_ADDRESS: closedAddress, OUT_DIR: outDir, ...env }), timeout: 60_000 },
      (error, stdout, stderr) => {
        void readdir(root).then((outDirEntries) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr, outDirEntries }),
        );
      },
    );
  });
}

interface Case {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** What the message must say. */
  message: RegExp;
}

const cases: Case[] = [
  { name: 'empty prompt', args: ['--prompt', ''], message: /--prompt must not be empty/ },
  { name: 'blank prompt', args: ['--prompt', '   '], message: /--prompt must not be empty/ },
  { name: 'no prompt', args: [], message: /required option '--prompt/ },
  { name: 'unknown provider', args: ['--prompt', 'rain', '--provider', 'suno-pirate'], message: /--provider.*suno-pirate.*anyint, aimusicapi, newapi, acedata, cqt/ },
  { name: 'unknown step', args: ['--prompt', 'rain', '--steps', 'song,karaoke'], message: /unknown step\(s\) karaoke/ },
  { name: 'steps without song', args: ['--prompt', 'rain', '--steps', 'lyrics,wav'], message: /steps must include song/ },
  { name: 'empty steps', args: ['--prompt', 'rain', '--steps', ','], message: /steps must include song/ },
  { name: 'missing lyrics file', args: ['--prompt', 'rain', '--lyrics-file', '{root}/no-such-lyrics.txt'], message: /--lyrics-file .*no-such-lyrics\.txt: no such file/ },
  { name: 'empty lyrics file', args: ['--prompt', 'rain', '--lyrics-file', 'EMPTY'], message: /--lyrics-file .*empty\.txt: the file is empty/ },
  { name: 'blank lyrics file', args: ['--prompt', 'rain', '--lyrics-file', 'BLANK'], message: /--lyrics-file .*blank\.txt: the file is empty/ },
  { name: 'lyrics file too long', args: ['--prompt', 'rain', '--lyrics-file', 'LONG'], message: /--lyrics-file .*long\.txt: 6000 characters; providers accept at most 5000/ },
  { name: 'lyrics file not UTF-8', args: ['--prompt', 'rain', '--lyrics-file', 'BINARY'], message: /--lyrics-file .*binary\.txt: not UTF-8/ },
  { name: 'lyrics file is a folder', args: ['--prompt', 'rain', '--lyrics-file', 'NOT_A_FILE'], message: /--lyrics-file .*inputs: .*EISDIR/ },
  { name: 'lyrics file with instrumental', args: ['--prompt', 'rain', '--lyrics-file', 'LYRICS', '--instrumental'], message: /--lyrics-file and --instrumental contradict/ },
  { name: 'a step the provider lacks', args: ['--prompt', 'rain', '--provider', 'aimusicapi', '--steps', 'song,wav'], message: /provider aimusicapi does not offer step\(s\) wav; nothing was submitted/ },
  { name: 'a step the env provider lacks', args: ['--prompt', 'rain', '--steps', 'song,stems'], env: { MUSIC_PROVIDER: 'newapi' }, message: /provider newapi does not offer step\(s\) stems/ },
  { name: 'bad review minutes', args: ['--prompt', 'rain', '--review', 'soon'], message: /--review takes a number of minutes/ },
  { name: 'unknown option', args: ['--prompt', 'rain', '--tempo', 'fast'], message: /unknown option '--tempo'/ },
  { name: 'stray argument', args: ['--prompt', 'rain', 'extra'], message: /too many arguments/ },
  { name: 'CALLBACK_PORT not a number', args: ['--prompt', 'rain'], env: { CALLBACK_PORT: 'abc' }, message: /CALLBACK_PORT/ },
  { name: 'CALLBACK_PORT out of range', args: ['--prompt', 'rain'], env: { CALLBACK_PORT: '70000' }, message: /CALLBACK_PORT/ },
  { name: 'unknown MUSIC_PROVIDER', args: ['--prompt', 'rain'], env: { MUSIC_PROVIDER: 'bogus' }, message: /MUSIC_PROVIDER/ },
  { name: 'API key without base URL', args: ['--prompt', 'rain'], env: { ANYINT_API_KEY: 'sk-something' }, message: /ANYINT_BASE_URL: required/ },
  { name: 'base URL not http', args: ['--prompt', 'rain'], env: { ANYINT_BASE_URL: 'ftp://x', ANYINT_API_KEY: 'k' }, message: /ANYINT_BASE_URL/ },
  { name: 'public callback URL without secret', args: ['--prompt', 'rain'], env: { CALLBACK_PUBLIC_URL: 'https://hooks.example.com' }, message: /CALLBACK_SECRET: required/ },
  { name: 'short callback secret', args: ['--prompt', 'rain'], env: { CALLBACK_SECRET: 'short' }, message: /CALLBACK_SECRET/ },
  { name: 'bad CALLBACKS switch', args: ['--prompt', 'rain'], env: { CALLBACKS: 'maybe' }, message: /CALLBACKS/ },
  { name: 'TEMPORAL_ADDRESS not host:port', args: ['--prompt', 'rain'], env: { TEMPORAL_ADDRESS: 'nonsense' }, message: /TEMPORAL_ADDRESS: must be host:port/ },
];

/** Bad input that once went on to contact Temporal (and with a server would have started a run). */
const refusedSinceFix: Case[] = [
  { name: 'empty persona id', args: ['--prompt', 'rain', '--persona-id', ''], message: /--persona-id must not be empty/ },
  { name: 'empty title', args: ['--prompt', 'rain', '--title', ''], message: /--title must not be empty/ },
  { name: 'title longer than providers accept', args: ['--prompt', 'rain', '--title', 't'.repeat(101)], message: /title/ },
  { name: 'empty workflow id', args: ['--prompt', 'rain', '--id', ''], message: /--id/ },
  { name: 'workflow id that escapes the output folder', args: ['--prompt', 'rain', '--id', '../../escaped'], message: /--id/ },
  { name: 'empty output folder', args: ['--prompt', 'rain', '--out', ''], message: /--out must not be empty/ },
  { name: 'OUT_DIR is a file', args: ['--prompt', 'rain'], env: { OUT_DIR: 'A_FILE' }, message: /OUT_DIR/ },
];

function substitute(values: string[]): string[] {
  const named: Record<string, string> = { LYRICS: files.lyrics, EMPTY: files.empty, BLANK: files.blank, LONG: files.long, BINARY: files.binary, NOT_A_FILE: files.notAFile, A_FILE: files.aFile };
  return values.map((v) => named[v] ?? v);
}

async function expectRefused(c: Case): Promise<void> {
  const env = Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, substitute([v])[0]!]));
  const outcome = await song(c.name, substitute(c.args), env);
  const report = `${c.name}: exit ${outcome.code}; stderr ${JSON.stringify(outcome.stderr.slice(0, 400))}`;
  expect(outcome.code, report).not.toBe(0);
  expect(outcome.code, report).not.toBeNull();
  // Refused before any attempt to reach Temporal (that attempt would fail with this message instead).
  expect(outcome.stderr, report).not.toMatch(/no Temporal server answers|Failed to connect|starting the embedded/);
  expect(outcome.stderr, report).toMatch(c.message);
  expect(outcome.stdout, report).toBe('');
  // No output folder, nothing half-written.
  expect(outcome.outDirEntries, report).toEqual([]);
}

describe('npm run song with bad input', () => {
  for (const c of cases) {
    it.concurrent(`refuses ${c.name}`, () => expectRefused(c), 90_000);
  }
  for (const c of refusedSinceFix) {
    it.concurrent(`refuses ${c.name}`, () => expectRefused(c), 90_000);
  }
});
