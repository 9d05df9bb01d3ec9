// Every example in examples/pipelines/ end to end on the dev server with the simulator: loaded with
// loadPipelineFile as `npm run pipeline` loads it, run by the pipelineRun workflow, and checked for
// what its comment promises, measured with ffprobe (and, where it promises which audio is where, on
// the decoded audio). Running a finished example again reuses every
// step and pays for nothing (the simulator's ledger shows no new submit).
//
// The examples' seconds (continueAt, sections) were written for 12 s clips; this suite runs the
// simulator with 6 s clips to stay fast, so it scales those numbers by 6/12 after loading (and says
// so in each test's name). Everything else is the file as a user has it.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelinePlan, PipelineRunResult } from '../contracts/pipelinePlan';
import { loadPipelineFile } from '../pipeline/definition/load';
import { probeMedia } from '../runtime/ffmpeg';
import { decodePcm, pcmSeconds, pcmWindow, relativeError } from './helpers/simulatorHttp';
import { checkRunFiles, expectSameLength, only, runPlan, seconds, simulatorLedger, startPipelineStack, type CheckedFile, type PipelineStack } from './helpers/pipelineStack';

const EXAMPLES = path.resolve(__dirname, '..', 'examples', 'pipelines');
const CLIP_SECONDS = 6;
/** Around a cut, MP3 frames mix both sides (as in simulator.transforms.test.ts). */
const EDGE = 0.06;
/** Same audio through two MP3 encodes differs by well under this (relative RMS)... */
const SAME = 0.08;
/** ...and different audio by far more than this. */
const DIFFERENT = 0.5;
/** The clip length the examples' seconds were written for. */
const EXAMPLE_CLIP_SECONDS = 12;

let env: PipelineStack;

beforeAll(async () => {
  env = await startPipelineStack('pipeline-examples-it-', CLIP_SECONDS);
});

afterAll(async () => {
  await env?.stop();
});

/** The example as `npm run pipeline` loads it, its seconds scaled to the simulator's clip length. */
async function loadExample(file: string): Promise<PipelinePlan> {
  const loaded = await loadPipelineFile(path.join(EXAMPLES, file));
  if (!loaded.ok) throw new Error(`${file}: ${loaded.errors.join('; ')}`);
  const scale = CLIP_SECONDS / EXAMPLE_CLIP_SECONDS;
  for (const step of loaded.plan.steps) {
    if (step.params.continueAt !== undefined) step.params.continueAt *= scale;
    if (step.params.section) step.params.section = { start: step.params.section.start * scale, end: step.params.section.end * scale };
  }
  return loaded.plan;
}

/**
 * Runs the example, checks it succeeded with every listed file intact, then runs it again: every
 * step is reused and the simulator is paid nothing more.
 */
async function runExample(file: string): Promise<{ plan: PipelinePlan; result: PipelineRunResult; files: Record<string, CheckedFile[]> }> {
  const plan = await loadExample(file);
  const paidBefore = (await simulatorLedger(env)).length;
  const result = await runPlan(env, plan);
  expect(result.failedSteps).toEqual([]);
  expect(result.status).toBe('succeeded');
  expect(result.reusedSteps).toEqual([]);
  const paid = (await simulatorLedger(env)).length - paidBefore;
  expect(paid, 'one paid submit per step').toBe(plan.steps.length);
  const { files, manifest } = await checkRunFiles(result);
  expect(Object.keys(manifest.steps).sort()).toEqual(plan.steps.map((s) => s.name).sort());
  for (const step of plan.steps) {
    expect(manifest.steps[step.name]!.state).toBe('succeeded');
    // A kept step that makes audio leaves its file; a step left with the provider leaves none.
    if (!step.keep) expect(files[step.name]).toEqual([]);
  }

  const paidAfterFirst = (await simulatorLedger(env)).length;
  const again = await runPlan(env, plan);
  expect(again.status).toBe('succeeded');
  expect(again.runId).not.toBe(result.runId);
  expect([...again.reusedSteps].sort()).toEqual(plan.steps.map((s) => s.name).sort());
  expect((await simulatorLedger(env)).length, 'a rerun pays for nothing').toBe(paidAfterFirst);
  expect(again.artifacts.map((a) => a.sha256).sort()).toEqual(result.artifacts.map((a) => a.sha256).sort());
  return { plan, result, files };
}

describe('the pipeline examples on the dev server with the simulator', () => {
  it('covers every example in examples/pipelines/', async () => {
    const yamls = (await readdir(EXAMPLES)).filter((f) => f.endsWith('.yaml')).sort();
    expect(yamls).toEqual(['cover-my-demo.yaml', 'crop-the-chorus.yaml', 'full-length-song.yaml', 'instrumental-then-vocals.yaml', 'mashup.yaml', 'replace-a-section.yaml']);
  });

  it(`full-length-song (continueAt scaled to ${CLIP_SECONDS} s clips): the joined track is the song up to continueAt then the extension, longer than the song; the WAV lasts as long`, async () => {
    const { plan, files } = await runExample('full-length-song.yaml');
    const continueAt = plan.steps.find((s) => s.name === 'extend')!.params.continueAt!;
    expect(continueAt).toBe(5);
    const song = seconds(only(files, 'song'));
    const extension = seconds(only(files, 'extend'));
    const full = seconds(only(files, 'full'));
    expectSameLength(full, continueAt + extension, 'the joined track');
    expect(full).toBeGreaterThan(song + 1);
    const wav = only(files, 'wav');
    expect(wav.file).toBe('wav.wav');
    expect(wav.probe!.streams.some((s) => s.codecType === 'audio' && s.codecName.startsWith('pcm_'))).toBe(true);
    expectSameLength(seconds(wav), full, 'the WAV of the joined track');
    // On the decoded audio: the song up to continueAt, then the extension's new part.
    const [songPcm, extPcm, fullPcm] = await Promise.all(['song', 'extend', 'full'].map((step) => decodePcm(only(files, step).path)));
    expect(relativeError(pcmWindow(fullPcm!, EDGE, continueAt - EDGE), pcmWindow(songPcm!, EDGE, continueAt - EDGE))).toBeLessThan(SAME);
    expect(relativeError(pcmWindow(fullPcm!, continueAt + EDGE, pcmSeconds(fullPcm!) - EDGE), pcmWindow(extPcm!, EDGE, pcmSeconds(extPcm!) - EDGE))).toBeLessThan(SAME);
  });

  it('instrumental-then-vocals: the vocal version keeps the instrumental\'s length', async () => {
    const { files } = await runExample('instrumental-then-vocals.yaml');
    const backing = seconds(only(files, 'backing'));
    expectSameLength(backing, CLIP_SECONDS, 'the instrumental');
    expectSameLength(seconds(only(files, 'vocals')), backing, 'the vocals');
  });

  it(`replace-a-section (section scaled to ${CLIP_SECONDS} s clips): the song keeps its length and only the section changes`, async () => {
    const { plan, files } = await runExample('replace-a-section.yaml');
    expect(plan.steps.find((s) => s.name === 'fixed')!.params.section).toEqual({ start: 2, end: 4 });
    const song = seconds(only(files, 'song'));
    expectSameLength(seconds(only(files, 'fixed')), song, 'the replaced-section song');
    // On the decoded audio: only the section is sung anew.
    const { start, end } = plan.steps.find((s) => s.name === 'fixed')!.params.section!;
    const [before, after] = await Promise.all(['song', 'fixed'].map((step) => decodePcm(only(files, step).path)));
    const compare = (from: number, to: number) => relativeError(pcmWindow(after!, from, to), pcmWindow(before!, from, to));
    expect(compare(EDGE, start - EDGE), 'before the section').toBeLessThan(SAME);
    expect(compare(start + EDGE, end - EDGE), 'the section').toBeGreaterThan(DIFFERENT);
    expect(compare(end + EDGE, song - EDGE), 'after the section').toBeLessThan(SAME);
  });

  it('cover-my-demo: the cover (and its WAV) lasts as long as demo.mp3; the upload itself is not kept', async () => {
    const demo = (await probeMedia(path.join(EXAMPLES, 'demo.mp3'))).durationSeconds;
    const paidBefore = (await simulatorLedger(env)).length;
    const { files } = await runExample('cover-my-demo.yaml');
    // The demo reached the simulator through the callback endpoint's signed /files/ route.
    const upload = (await simulatorLedger(env)).slice(paidBefore).find((e) => (e.body as { task?: string }).task === 'upload');
    expect((upload?.body as { audioUrl?: string } | undefined)?.audioUrl).toMatch(/\/files\//);
    expect(files.demo).toEqual([]);
    const cover = seconds(only(files, 'cover'));
    expectSameLength(cover, demo, 'the cover of demo.mp3');
    expectSameLength(seconds(only(files, 'wav')), cover, 'the WAV of the cover');
  });

  it(`crop-the-chorus (section scaled to ${CLIP_SECONDS} s clips): the crop lasts the section and is the song's own audio there`, async () => {
    const { plan, files } = await runExample('crop-the-chorus.yaml');
    const { start, end } = plan.steps.find((s) => s.name === 'chorus')!.params.section!;
    expect({ start, end }).toEqual({ start: 2, end: 4 });
    expectSameLength(seconds(only(files, 'chorus')), end - start, 'the cropped chorus');
    const [song, chorus] = await Promise.all(['song', 'chorus'].map((step) => decodePcm(only(files, step).path)));
    expect(relativeError(pcmWindow(chorus!, EDGE, end - start - EDGE), pcmWindow(song!, start + EDGE, end - EDGE)), 'the chorus is the song between start and end').toBeLessThan(SAME);
  });

  it('mashup: the blend of two songs exists and decodes, and its WAV lasts as long', async () => {
    const { files } = await runExample('mashup.yaml');
    const blend = only(files, 'blend');
    expect(blend.probe!.streams.some((s) => s.codecType === 'audio')).toBe(true);
    expect(seconds(blend)).toBeGreaterThan(1);
    expectSameLength(seconds(only(files, 'wav')), seconds(blend), 'the WAV of the mashup');
  });
});
