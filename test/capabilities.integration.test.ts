// Every capability of the five seed APIs, end to end on the dev server with the simulator: for each
// dialect, one pipeline definition (built here as an object) with a step of every kind the adapter
// lists in `capabilities` — songs, lyrics, persona, exports and every transform, uploads of a small
// audio file rendered here with ffmpeg (`audio: upload:<file>`, which reaches the simulator through
// the callback endpoint's signed /files/ route). The definition is built from the capability list,
// so a capability added later without a step here fails this test; each step must succeed, and each
// kept file is re-hashed and measured with ffprobe where its kind promises a length.
//
// The lengths promised per kind are docs/transforms-wire.md's "result" column.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineRunResult } from '../contracts/pipelinePlan';
import { planPipeline } from '../pipeline/definition/load';
import type { PipelineDefinition, StepDefinition } from '../pipeline/definition/schema';
import { PROVIDER_NAMES, type ProviderName, type StepKind, type TransformKind } from '../providers/model';
import { adapterFor } from '../providers/registry';
import { probeMedia, runFfmpeg } from '../runtime/ffmpeg';
import { checkRunFiles, expectSameLength, only, runPlan, seconds, simulatorLedger, startPipelineStack, type CheckedFile, type PipelineStack } from './helpers/pipelineStack';

const CLIP_SECONDS = 4;
/** The user's audio: shorter than a clip, so a length taken from the upload is told from a clip's. */
const UPLOAD_SECONDS = 3;
const UPLOAD_FILE = 'my-take.mp3';
const CONTINUE_AT = 2.5;
const UPLOAD_CONTINUE_AT = 1.5;
const SECTION = { start: 1, end: 3 };
const SOUND_SECONDS = 2;
/** How long a dialect's run may take end to end (generous: the machine is shared and loaded). */
const RUN_TIMEOUT_MS = 15 * 60_000;
const LYRICS = '[Verse]\nLate train home, the windows hum\n[Chorus]\nHold the light until it comes';

let env: PipelineStack;
let uploads: string;
let uploadSeconds: number;
const runs = new Map<ProviderName, Promise<{ definition: PipelineDefinition; result: PipelineRunResult }>>();

beforeAll(async () => {
  uploads = await mkdtemp(path.join(tmpdir(), 'capabilities-upload-'));
  await runFfmpeg(['-f', 'lavfi', '-i', `sine=frequency=330:duration=${UPLOAD_SECONDS}`, '-ac', '2', '-ar', '44100', '-b:a', '128k', path.join(uploads, UPLOAD_FILE)]);
  uploadSeconds = (await probeMedia(path.join(uploads, UPLOAD_FILE))).durationSeconds;
  // Every step of a run may hold a provider slot at once (a run here has up to 26 steps).
  const slots = Object.fromEntries(PROVIDER_NAMES.map((name) => [`${name.toUpperCase()}_MAX_RUNNING_TASKS`, '16']));
  env = await startPipelineStack('capabilities-it-', CLIP_SECONDS, slots);
  // The five runs go side by side (each `it` below awaits its own): most of a step is waiting.
  for (const provider of PROVIDER_NAMES) {
    const run = (async () => {
      const definition = definitionFor(provider);
      const planned = await planPipeline(definition, { baseDir: uploads });
      if (!planned.ok) throw new Error(`the definition for ${provider} is refused:\n${planned.errors.join('\n')}`);
      return { definition, result: await runPlan(env, planned.plan) };
    })();
    run.catch(() => {}); // reported by the provider's own test
    runs.set(provider, run);
  }
});

afterAll(async () => {
  await env?.stop();
  if (uploads) await rm(uploads, { recursive: true, force: true });
});

/** What a step may read besides the song: the steps of the definition that exist for this dialect. */
interface Build {
  provider: ProviderName;
  has: (kind: StepKind) => boolean;
}

const upload = `upload:${UPLOAD_FILE}`;

/**
 * The user's audio for a kind: the file itself where the dialect sends it by URL, else the `upload`
 * step's clip (acedata: its /suno/audios body has no audio_url, so the file goes through /suno/upload).
 */
function userAudio(provider: ProviderName, kind: TransformKind): string {
  return adapterFor(provider).transformFields?.[kind]?.includes('audioUrl') ? upload : 'upload';
}

/**
 * One step per kind, named after its kind; the steps a kind reads are named by their kinds too.
 * A kind missing here has no end-to-end run, and the test for a dialect that offers it fails.
 */
const STEP_FOR: Partial<Record<StepKind, (b: Build) => StepDefinition>> = {
  lyrics: () => ({ kind: 'lyrics', prompt: 'a late train home through a sleeping city' }),
  style: () => ({ kind: 'style', prompt: 'night jazz' }),
  song: (b) => ({
    kind: 'song',
    prompt: 'a late train home through a sleeping city',
    title: 'Late Train',
    ...(b.has('lyrics') ? { lyricsFrom: 'lyrics' } : { lyrics: LYRICS }),
    ...(b.has('style') ? { styleFrom: 'style' } : { style: 'night jazz, brushed drums' }),
  }),
  persona: () => ({ kind: 'persona', clip: 'song', name: 'Night Voice', description: 'a soft late-night voice' }),
  stems: () => ({ kind: 'stems', clip: 'song' }),
  'all-stems': () => ({ kind: 'all-stems', clip: 'song' }),
  wav: () => ({ kind: 'wav', clip: 'song' }),
  mp4: () => ({ kind: 'mp4', clip: 'song' }),
  'cover-art': () => ({ kind: 'cover-art', clip: 'song' }),
  'timestamped-lyrics': () => ({ kind: 'timestamped-lyrics', clip: 'song' }),
  video: () => ({ kind: 'video', clip: 'song', prompt: 'rain on a train window' }),
  downbeats: () => ({ kind: 'downbeats', clip: 'song' }),
  // The persona's voice carries the extension where the dialect's extend takes one.
  extend: (b) => ({
    kind: 'extend',
    clip: 'song',
    continueAt: CONTINUE_AT,
    lyrics: '[Bridge]\nOne more stop and then the sea',
    ...(b.has('persona') && adapterFor(b.provider).transformFields?.extend?.includes('personaId') ? { personaFrom: 'persona' } : {}),
  }),
  upload: () => ({ kind: 'upload', audio: upload }),
  cover: (b) => ({ kind: 'cover', clip: b.has('upload') ? 'upload' : 'song', style: 'bossa nova, nylon guitar', instrumental: true }),
  'upload-cover': (b) => ({ kind: 'upload-cover', audio: userAudio(b.provider, 'upload-cover'), style: 'lo-fi hip hop', title: 'My Take, Covered', instrumental: true }),
  'upload-extend': (b) => ({ kind: 'upload-extend', audio: userAudio(b.provider, 'upload-extend'), continueAt: UPLOAD_CONTINUE_AT, style: 'lo-fi hip hop', title: 'My Take, Longer', instrumental: true }),
  'add-vocals': (b) => ({ kind: 'add-vocals', audio: userAudio(b.provider, 'add-vocals'), lyrics: LYRICS, style: 'soft female vocal', title: 'My Take, Sung' }),
  'add-instrumental': (b) => ({ kind: 'add-instrumental', audio: userAudio(b.provider, 'add-instrumental'), style: 'warm piano trio', title: 'My Take, Backed' }),
  'replace-section': () => ({ kind: 'replace-section', clip: 'song', section: SECTION, lyrics: '[Verse]\nA new line for the middle', style: 'night jazz', title: 'Late Train' }),
  // A chain of extensions ends in the extension; a list of clips is joined in order.
  concat: () => ({ kind: 'concat', clips: ['song', 'extend'] }),
  mashup: (b) => ({ kind: 'mashup', clips: ['song', b.has('cover') ? 'cover' : 'extend'], style: 'jazz meets lo-fi' }),
  sample: (b) => ({ kind: 'sample', clip: 'song', section: SECTION, style: 'boom bap', title: 'Sampled Train' }),
  'sound-effect': () => ({ kind: 'sound-effect', prompt: 'a train door closing', seconds: SOUND_SECONDS }),
  remaster: () => ({ kind: 'remaster', clip: 'song' }),
  vox: (b) => ({ kind: 'vox', ...(b.has('persona') ? { personaFrom: 'persona' } : { clip: 'song' }), lyrics: LYRICS, style: 'night jazz', title: 'Late Train, Voiced' }),
  'reuse-style': () => ({ kind: 'reuse-style', clip: 'song', lyrics: '[Verse]\nSame sound, another town', title: 'Early Train' }),
  // References by URL (earlier clips and the user's file) where the dialect takes them; else a
  // playlist the provider keeps (cqt), named by id.
  inspiration: (b) =>
    adapterFor(b.provider).transformFields?.inspiration?.includes('playlistId')
      ? { kind: 'inspiration', playlist: PLAYLIST_ID, prompt: 'songs for a late train' }
      : { kind: 'inspiration', clips: ['song', b.has('cover') ? 'cover' : 'extend'], audio: upload, style: 'night jazz', title: 'Inspired Train' },
  crop: () => ({ kind: 'crop', clip: 'song', section: SECTION, title: 'Late Train, the middle' }),
  'custom-model': (b) => ({ kind: 'custom-model', clips: TRAINING_STEPS.filter((kind) => b.has(kind)).slice(0, 6), name: 'Late Train Model' }),
};

/** Steps whose clips a custom model is trained on (six of them, the family's minimum). */
const TRAINING_STEPS: StepKind[] = ['song', 'extend', 'cover', 'remaster', 'reuse-style', 'upload', 'upload-cover'];
const PLAYLIST_ID = '119573ff-8e48-4fe6-9029-39c76c9a5597';

/**
 * The descriptive extras above (a title, a style, instrumental) are dropped where the dialect's
 * transform takes no such field (acedata's cover has no instrumental flag, its replace-section no
 * title): a definition that sends them is refused before anything starts, rightly.
 */
const EXTRAS = ['title', 'style', 'instrumental'] as const;
function withoutUntakenExtras(provider: ProviderName, step: StepDefinition): StepDefinition {
  const offered = adapterFor(provider).transformFields?.[step.kind as TransformKind];
  if (!offered) return step;
  const fitted = { ...step };
  for (const field of EXTRAS) if (!offered.includes(field)) delete fitted[field];
  return fitted;
}

function definitionFor(provider: ProviderName): PipelineDefinition {
  const capabilities = adapterFor(provider).capabilities;
  const build: Build = { provider, has: (kind) => capabilities.includes(kind) };
  const steps: Record<string, StepDefinition> = {};
  for (const kind of capabilities) {
    const make = STEP_FOR[kind];
    if (!make) throw new Error(`provider ${provider} offers ${kind}, and this test has no end-to-end step for it: add one to STEP_FOR`);
    steps[kind] = withoutUntakenExtras(provider, make(build));
  }
  // A kind that reads a clip or the user's audio runs once more with the other input (and its section, where taken).
  for (const kind of ['add-vocals', 'add-instrumental', 'sample'] as const) {
    const step = steps[kind];
    if (!step) continue;
    const { clip, audio, section, ...rest } = step;
    const takesSection = adapterFor(provider).transformFields?.[kind]?.includes('section') ?? false;
    steps[`${kind}-${clip ? 'of-upload' : 'of-clip'}`] = clip ? { ...rest, audio: userAudio(provider, kind) } : { ...rest, clip: 'song', ...(takesSection ? { section: SECTION } : {}) };
  }
  return { name: `capabilities-${provider}`, provider, concurrency: 16, steps };
}

/** What docs/transforms-wire.md promises of a kind's files, checked on what the run kept. */
function checkKind(definition: PipelineDefinition, kind: StepKind, files: Record<string, CheckedFile[]>, text: Record<string, string>): void {
  const provider = definition.provider!;
  const len = (step: string) => seconds(only(files, step));
  const song = () => len('song');
  const audio = (step: string) => {
    const file = only(files, step);
    expect(file.probe!.streams.some((s) => s.codecType === 'audio'), `${step} has audio`).toBe(true);
    return seconds(file);
  };
  switch (kind) {
    case 'lyrics':
    case 'style':
      expect(text[kind]!.trim().length, `${kind} text`).toBeGreaterThan(3);
      return;
    case 'song':
      expectSameLength(audio('song'), CLIP_SECONDS, 'the song');
      return;
    case 'persona':
      return; // no file: its id is checked from pipeline.json, and the steps that sang with it succeeded
    case 'stems':
    case 'all-stems': {
      const stems = files[kind]!;
      expect(stems.length, `${kind} files`).toBeGreaterThanOrEqual(2);
      for (const stem of stems) expectSameLength(seconds(stem), song(), `${stem.file}`);
      return;
    }
    case 'wav': {
      const wav = only(files, 'wav');
      expect(wav.probe!.streams.some((s) => s.codecType === 'audio' && s.codecName.startsWith('pcm_'))).toBe(true);
      expectSameLength(seconds(wav), song(), 'the WAV');
      return;
    }
    case 'mp4':
    case 'video': {
      const video = only(files, kind);
      expect(video.probe!.streams.map((s) => s.codecType).sort()).toEqual(['audio', 'video']);
      expectSameLength(seconds(video), song(), `the ${kind}`);
      return;
    }
    case 'cover-art': {
      const image = only(files, 'cover-art');
      expect(image.probe!.streams.map((s) => s.codecType)).toEqual(['video']);
      expect(['png', 'mjpeg', 'webp']).toContain(image.probe!.streams[0]!.codecName);
      return;
    }
    case 'timestamped-lyrics': {
      const stamps = [...text[kind]!.matchAll(/^\[(\d\d):(\d\d\.\d\d)\]/gm)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      expect(stamps.length).toBeGreaterThan(2);
      expect(stamps.every((t, i) => t <= song() + 0.01 && (i === 0 || t >= stamps[i - 1]!))).toBe(true);
      return;
    }
    case 'downbeats': {
      const beats = (JSON.parse(text[kind]!) as { downbeats: number[] }).downbeats;
      expect(beats.length).toBeGreaterThan(0);
      expect(beats.every((t, i) => t >= 0 && t <= song() + 0.01 && (i === 0 || t > beats[i - 1]!))).toBe(true);
      return;
    }
    case 'extend': {
      const extension = audio('extend');
      // anyint's extension holds the song from its start (whole); the others only the new part.
      if (provider === 'anyint') expect(extension).toBeGreaterThan(CONTINUE_AT + 0.5);
      return;
    }
    case 'upload':
      expectSameLength(audio('upload'), uploadSeconds, 'the upload as a clip');
      return;
    case 'upload-cover':
      expectSameLength(audio('upload-cover'), uploadSeconds, 'the cover of the upload');
      return;
    case 'upload-extend':
      expect(audio('upload-extend'), 'the upload extended (whole)').toBeGreaterThan(UPLOAD_CONTINUE_AT + 0.5);
      return;
    case 'cover': {
      const source = definition.steps.cover!.clip!;
      expectSameLength(audio('cover'), source === 'upload' ? uploadSeconds : len(source), `the cover of ${source}`);
      return;
    }
    case 'add-vocals':
    case 'add-instrumental':
      expectSameLength(audio(kind), uploadSeconds, `${kind} over the upload`);
      return;
    case 'replace-section':
    case 'remaster':
      expectSameLength(audio(kind), song(), `${kind} keeps the song's length`);
      return;
    case 'concat': {
      const joined = audio('concat');
      // newapi and acedata follow the chain of extensions back to the song: continueAt + the new part;
      // cqt's merge joins the clips it lists: their lengths added.
      const expected = provider === 'cqt' ? song() + len('extend') : CONTINUE_AT + len('extend');
      expectSameLength(joined, expected, 'the joined track');
      expect(joined).toBeGreaterThan(song());
      return;
    }
    case 'mashup': {
      const blend = audio('mashup');
      const [a, b] = definition.steps.mashup!.clips!;
      if (provider === 'acedata') expectSameLength(blend, Math.max(len(a!), len(b!)), 'the mashup (as long as the longer source)');
      return;
    }
    case 'sound-effect':
      expectSameLength(audio('sound-effect'), SOUND_SECONDS, 'the sound effect');
      return;
    case 'sample':
    case 'vox':
    case 'reuse-style':
      expect(audio(kind)).toBeGreaterThan(1);
      return;
    case 'inspiration':
      // A new song, a song's length: none of the references (the upload is shorter) is copied.
      expectSameLength(audio('inspiration'), CLIP_SECONDS, 'the inspired song');
      return;
    case 'crop':
      expectSameLength(audio('crop'), SECTION.end - SECTION.start, 'the cropped section');
      return;
    case 'custom-model': {
      const trained = JSON.parse(text[kind]!) as { modelId: string; trainedOn: string[] };
      expect(trained.modelId).toMatch(/^chirp-custom:/);
      expect(trained.trainedOn).toHaveLength(definition.steps[kind]!.clips!.length);
      return;
    }
  }
  throw new Error(`no check for kind ${kind}`);
}

describe('every capability of the five seed APIs, end to end on the dev server with the simulator', () => {
  it('aimusicapi offers songs only, and every other dialect more', () => {
    expect(adapterFor('aimusicapi').capabilities).toEqual(['song']);
    for (const provider of PROVIDER_NAMES) expect(adapterFor(provider).capabilities).toContain('song');
  });

  for (const provider of PROVIDER_NAMES) {
    it(`${provider}: one run with a step of every kind the adapter lists`, async () => {
      const { definition, result } = await runs.get(provider)!;
      const kinds = Object.values(definition.steps).map((s) => s.kind);
      expect(new Set(kinds)).toEqual(new Set(adapterFor(provider).capabilities));
      expect(result.failedSteps).toEqual([]);
      expect(result.status).toBe('succeeded');
      expect(result.steps.every((s) => s.state === 'done')).toBe(true);
      const taskIds = new Set(result.steps.map((s) => s.taskId));
      const paid = (await simulatorLedger(env)).filter((e) => taskIds.has(e.taskId));
      expect(paid.length, 'a paid submit per step').toBeGreaterThanOrEqual(kinds.filter((k) => k !== 'persona' && k !== 'style').length);
      if (kinds.some((k) => k.startsWith('upload') || k === 'add-vocals' || k === 'add-instrumental')) {
        // The user's file went out through the callback endpoint's signed /files/ route.
        expect(JSON.stringify(paid.map((e) => e.body))).toMatch(/\/files\//);
      }

      const { manifest, files } = await checkRunFiles(result);
      const text: Record<string, string> = {};
      for (const kind of ['lyrics', 'style', 'timestamped-lyrics', 'downbeats', 'custom-model'] as const) {
        if (kinds.includes(kind)) text[kind] = await readFile(only(files, kind).path, 'utf8');
      }
      for (const name of Object.keys(definition.steps)) expect(manifest.steps[name]?.state, `step ${name}`).toBe('succeeded');
      for (const kind of new Set(kinds)) checkKind(definition, kind, files, text);
      if (kinds.includes('persona')) expect(manifest.steps.persona!.personaId).toBeTruthy();
      // The trained model's id is what the step hands later steps (pipeline.json's text).
      if (kinds.includes('custom-model')) expect(manifest.steps['custom-model']!.text).toBe(JSON.parse(text['custom-model']!).modelId);
      for (const kind of ['add-vocals', 'add-instrumental'] as const) {
        if (kinds.includes(kind)) expectSameLength(seconds(only(files, `${kind}-of-clip`)), seconds(only(files, 'song')), `${kind} over the song keeps its length`);
      }
      if (kinds.includes('sample')) expect(seconds(only(files, 'sample-of-upload'))).toBeGreaterThan(1);
      // What a step read from an earlier one (a voice, an expanded style, lyrics) is in what it sent.
      const sent = (step: string) => JSON.stringify(paid.find((e) => e.taskId === manifest.steps[step]!.taskId)?.body ?? null);
      // The crop works on the song itself; an inspiration by URL sends every reference's audio.
      if (kinds.includes('crop')) expect(sent('crop')).toContain(manifest.steps.song!.clip!.clipId);
      const inspiration = definition.steps.inspiration;
      for (const ref of inspiration?.clips ?? []) expect(sent('inspiration'), `inspiration sends ${ref}'s audio`).toContain(manifest.steps[ref]!.clip!.audioUrl!);
      for (const [name, step] of Object.entries(definition.steps)) {
        if (step.personaFrom) expect(sent(name), `${name} sings with the persona`).toContain(manifest.steps[step.personaFrom]!.personaId!);
        if (step.styleFrom) expect(sent(name), `${name} uses the expanded style`).toContain(JSON.stringify(manifest.steps[step.styleFrom]!.text!).slice(1, 40));
        if (step.lyricsFrom) expect(sent(name), `${name} sings the lyrics step's words`).toContain(JSON.stringify(manifest.steps[step.lyricsFrom]!.text!.trim().split('\n')[0]!).slice(1, -1));
      }
      // The five runs (up to 32 steps each) share one simulator and worker: on a loaded machine the
      // first dialect's wait alone can pass the default two minutes.
    }, RUN_TIMEOUT_MS);
  }
});
