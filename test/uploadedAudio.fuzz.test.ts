// Bad input at the user's own audio (`audio: upload:<file>`): seeded mutations of small real audio
// files made with ffmpeg (truncated, bytes overwritten, random bytes, a wrong extension, one format's
// header on another's body, zero length, a sparse file over the size limit, a directory, a symlink
// loop, a FIFO, text, a missing file), each named in a definition loaded the way the CLI loads it
// (loadPipelineFile: no workflow, nothing submitted). Each is either accepted, and then its audio
// probes as a length a song can have and its sha256 is the file's, or refused with a line naming
// steps.demo.audio, the file and the reason. Never a throw, never a hang. FUZZ_SEED replays a run.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_FILE_LIMITS } from '../pipeline/definition/audioFile';
import { loadPipelineFile } from '../pipeline/definition/load';
import { probeMedia, runFfmpeg } from '../runtime/ffmpeg';
import { fuzzRandom, within } from './helpers/fuzzRandom';

const CASES = 120;
const CONCURRENCY = 4;
const CASE_TIMEOUT_MS = 30_000;
const random = fuzzRandom(Date.now() % 2 ** 31);

let scratch: string;
/** Real audio of each accepted kind, plus a too-short and a too-long one. */
const sources = new Map<string, Buffer>();

beforeAll(async () => {
  console.log(`uploaded audio fuzz seed ${random.seed} (FUZZ_SEED=${random.seed} replays it)`);
  scratch = await mkdtemp(path.join(tmpdir(), 'upload-fuzz-'));
  const make = async (name: string, seconds: number, codec: string[]) => {
    const file = path.join(scratch, name);
    await runFfmpeg(['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=8000:duration=${seconds}`, '-ac', '1', ...codec, '-y', file]);
    sources.set(name, await readFile(file));
  };
  await Promise.all([
    make('tone.mp3', 3, ['-b:a', '16k']),
    make('tone.wav', 3, []),
    make('tone.m4a', 3, ['-c:a', 'aac', '-b:a', '16k']),
    make('tone.flac', 3, []),
    make('short.mp3', 0.4, ['-b:a', '16k']),
    make('long.mp3', AUDIO_FILE_LIMITS.maxSeconds + 30, ['-b:a', '8k']),
  ]);
}, 120_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const AUDIO_EXTENSIONS = ['.mp3', '.wav', '.m4a', '.flac'];
const WRONG_EXTENSIONS = ['.txt', '.ogg', '', '.mp3.exe', '.MP3', '.Wav', '.mp4'];
const ODD_NAMES = ['demo', 'my demo', 'démo 🎵', '-demo', 'de"mo', "it's"];

type Mutation = 'as-is' | 'truncated' | 'bytes-overwritten' | 'random-bytes' | 'wrong-extension' | 'header-swap' | 'zero-length' | 'huge-sparse' | 'directory' | 'symlink-loop' | 'fifo' | 'text' | 'missing';
const MUTATIONS: Mutation[] = ['as-is', 'as-is', 'truncated', 'truncated', 'bytes-overwritten', 'bytes-overwritten', 'random-bytes', 'wrong-extension', 'header-swap', 'header-swap', 'zero-length', 'huge-sparse', 'directory', 'symlink-loop', 'fifo', 'text', 'missing'];

interface Case {
  index: number;
  mutation: Mutation;
  source: string;
  /** The name as written after `upload:` (relative to the definition's folder). */
  given: string;
}

/** Writes the case's file (or non-file) into its own folder with a definition naming it; returns the definition's path. */
async function prepare(c: Case, dir: string): Promise<string> {
  const file = path.join(dir, c.given);
  await mkdir(path.dirname(file), { recursive: true });
  const body = sources.get(c.source)!;
  switch (c.mutation) {
    case 'as-is':
    case 'wrong-extension':
      await writeFile(file, body);
      break;
    case 'truncated':
      await writeFile(file, body.subarray(0, random.int(body.length)));
      break;
    case 'bytes-overwritten': {
      const copy = Buffer.from(body);
      for (let i = 0, n = 1 + random.int(64); i < n; i++) copy[random.int(copy.length)] = random.int(256);
      await writeFile(file, copy);
      break;
    }
    case 'random-bytes':
      await writeFile(file, random.bytes(random.pick([1, 10, 1000, 50_000])));
      break;
    case 'header-swap': {
      const other = sources.get(random.pick([...sources.keys()].filter((k) => k !== c.source)))!;
      const cut = random.pick([4, 12, 44, 128, 1024]);
      await writeFile(file, Buffer.concat([other.subarray(0, cut), body.subarray(Math.min(cut, body.length))]));
      break;
    }
    case 'zero-length':
      await writeFile(file, '');
      break;
    case 'huge-sparse':
      // A real header, then a hole up to past the size limit: nothing is written, but stat says it is big.
      await writeFile(file, body);
      await truncate(file, AUDIO_FILE_LIMITS.maxBytes + 1 + random.int(1024 * 1024));
      break;
    case 'directory':
      await mkdir(file);
      break;
    case 'symlink-loop': {
      const other = `${file}.loop${path.extname(file)}`;
      await symlink(other, file);
      await symlink(file, other);
      break;
    }
    case 'fifo':
      execFileSync('mkfifo', [file]);
      break;
    case 'text':
      await writeFile(file, 'ID3? no: these are the lyrics I meant to upload\n'.repeat(1 + random.int(200)));
      break;
    case 'missing':
      break;
  }
  const definition = path.join(dir, 'pipeline.yaml');
  await writeFile(
    definition,
    ['name: fuzz-upload', 'provider: cqt', 'steps:', '  demo:', '    kind: upload', `    audio: ${JSON.stringify(`upload:${c.given}`)}`, '  cover:', '    kind: cover', '    clip: demo', '    style: bossa nova', ''].join('\n'),
  );
  return definition;
}

function makeCase(index: number): Case {
  const mutation = random.pick(MUTATIONS);
  const source = random.pick([...sources.keys()]);
  const stem = random.chance(0.3) ? random.pick(ODD_NAMES) : `case-${index}`;
  const folder = random.chance(0.2) ? 'sub dir/' : '';
  const extension = mutation === 'wrong-extension' ? random.pick(WRONG_EXTENSIONS) : mutation === 'header-swap' || mutation === 'text' || mutation === 'random-bytes' ? random.pick(AUDIO_EXTENSIONS) : path.extname(source);
  return { index, mutation, source, given: `${folder}${stem}${extension}` };
}

describe('uploaded audio files under fuzzed input', () => {
  it('accepts only audio that probes as a song-length file, and refuses the rest naming steps.<name>.audio and why, without throwing or hanging', async () => {
    const cases = Array.from({ length: CASES }, (_, i) => makeCase(i));
    const tally = new Map<string, { accepted: number; refused: number }>();
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        const where = `case ${c.index} (seed ${random.seed}): ${c.mutation} of ${c.source} as ${JSON.stringify(c.given)}`;
        const dir = path.join(scratch, `case-${c.index}`);
        await mkdir(dir);
        const definition = await prepare(c, dir);
        const result = await within(CASE_TIMEOUT_MS, where, loadPipelineFile(definition));
        const count = tally.get(c.mutation) ?? { accepted: 0, refused: 0 };
        tally.set(c.mutation, count);
        if (result.ok) {
          count.accepted++;
          const demo = result.plan.steps.find((s) => s.name === 'demo')!;
          expect(demo.inputs.audioFile, where).toBe(path.join(dir, c.given));
          // What was accepted is audio of a length a song can have, and the recorded sha256 is the file's.
          const probe = await probeMedia(demo.inputs.audioFile!);
          expect(probe.streams.some((s) => s.codecType === 'audio'), where).toBe(true);
          expect(probe.durationSeconds, where).toBeGreaterThanOrEqual(AUDIO_FILE_LIMITS.minSeconds);
          expect(probe.durationSeconds, where).toBeLessThanOrEqual(AUDIO_FILE_LIMITS.maxSeconds);
          expect(demo.inputs.audioSha256, where).toBe(createHash('sha256').update(await readFile(demo.inputs.audioFile!)).digest('hex'));
          expect(['as-is', 'truncated', 'bytes-overwritten', 'header-swap', 'wrong-extension'], where).toContain(c.mutation);
        } else {
          count.refused++;
          // One problem, on the audio field, naming the file as written and a reason.
          expect(result.errors, where).toHaveLength(1);
          expect(result.errors[0], where).toMatch(/^steps\.demo\.audio: /);
          expect(result.errors[0], where).toContain(`${c.given}: `);
          expect(result.errors[0]!.length, where).toBeGreaterThan(`steps.demo.audio: ${c.given}: `.length + 5);
        }
        // Files that can never be accepted, whatever their content.
        if (['zero-length', 'huge-sparse', 'directory', 'symlink-loop', 'fifo', 'text', 'missing'].includes(c.mutation)) expect(result.ok, where).toBe(false);
        if (c.mutation === 'as-is' && !c.source.startsWith('short') && !c.source.startsWith('long')) expect(result.ok, where).toBe(true);
        if (c.mutation === 'as-is' && (c.source.startsWith('short') || c.source.startsWith('long'))) expect(result.ok ? '' : result.errors[0], where).toMatch(/lasts [\d.]+ s/);
        if (c.mutation === 'huge-sparse') expect(result.ok ? '' : result.errors[0], where).toMatch(/the limit is 100 MB/);
        await rm(dir, { recursive: true, force: true });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    console.log(`uploaded audio fuzz: ${[...tally].map(([m, t]) => `${m} ${t.accepted}/${t.refused}`).join(', ')} (accepted/refused)`);
    const totals = [...tally.values()].reduce((a, t) => ({ accepted: a.accepted + t.accepted, refused: a.refused + t.refused }), { accepted: 0, refused: 0 });
    // Both outcomes happen, or the fuzzing tests nothing.
    expect(totals.accepted).toBeGreaterThan(5);
    expect(totals.refused).toBeGreaterThan(30);
  }, 180_000);
});
