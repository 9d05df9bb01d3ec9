// The built-in song definition on the dev server with the simulator: the same request run by
// songPipeline (as `npm run song` runs it) and, as a definition, by the generic pipelineRun makes the
// same kinds of files, the same later-step files, and songs of the same length. What differs is
// written down here: songPipeline also keeps the clip's own image (cover) and its record is
// track.json; pipelineRun's record is pipeline.json.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrAttach } from '../client/runs';
import type { SongPipelineInput } from '../contracts/songPipeline';
import { planPipeline } from '../pipeline/definition/load';
import type { SongRequest } from '../providers/model';
import { probeMedia } from '../runtime/ffmpeg';
import { defaultSongSteps, songDefinition } from '../song/songDefinition';
import { songPipeline } from '../song/songPipeline';
import { checkRunFiles, expectSameLength, runPlan, startPipelineStack, type PipelineStack } from './helpers/pipelineStack';

const CLIP_SECONDS = 6;
let env: PipelineStack;

beforeAll(async () => {
  env = await startPipelineStack('song-definition-it-', CLIP_SECONDS);
});

afterAll(async () => {
  await env?.stop();
});

describe('the built-in song definition, run by pipelineRun', () => {
  it('makes the same kinds of files as songPipeline for the same request and steps (cqt: every step)', async () => {
    const provider = 'cqt';
    const request: SongRequest = { prompt: 'rain on a window, a quiet morning', title: 'Window', style: 'indie folk', instrumental: false };
    const steps = defaultSongSteps(provider);
    expect(steps).toEqual(['lyrics', 'song', 'persona', 'stems', 'all-stems', 'wav', 'mp4', 'cover-art', 'timestamped-lyrics']);

    const songInput: SongPipelineInput = { provider, request, steps, outDir: path.join(env.scratch, 'out', 'singles', 'window'), callbacks: true };
    const { handle } = await startOrAttach(env.stack, songPipeline, { workflowId: 'song-window-builtin-check', args: [songInput] });
    const song = await handle.result();
    expect(song.status).toBe('succeeded');

    const planned = await planPipeline(songDefinition({ provider, request, steps }));
    if (!planned.ok) throw new Error(planned.errors.join('; '));
    const run = await runPlan(env, planned.plan);
    expect(run.failedSteps).toEqual([]);
    expect(run.status).toBe('succeeded');
    await checkRunFiles(run);

    // The same steps ran, each once.
    const done = (list: { stepId: string; state: string }[]) => list.filter((s) => s.state === 'done').map((s) => s.stepId).sort();
    expect(done(run.steps)).toEqual(done(song.steps));
    // The same kinds of files, apart from the clip image and the run's record.
    const kinds = (artifacts: { kind: string }[], leaveOut: string[]) => [...new Set(artifacts.map((a) => a.kind))].filter((k) => !leaveOut.includes(k)).sort();
    expect(kinds(run.artifacts, ['manifest'])).toEqual(kinds(song.artifacts, ['manifest', 'cover']));
    // Stems by name, and songs of the same length.
    const stems = (artifacts: { kind: string; path: string }[]) => artifacts.filter((a) => a.kind === 'stem').map((a) => `${path.basename(path.dirname(a.path))}/${path.basename(a.path)}`).sort();
    expect(stems(run.artifacts)).toEqual(stems(song.artifacts));
    const audio = (artifacts: { kind: string; path: string }[]) => artifacts.find((a) => a.kind === 'audio')!.path;
    expectSameLength((await probeMedia(audio(run.artifacts))).durationSeconds, (await probeMedia(audio(song.artifacts))).durationSeconds, 'the song');
    // The definition's final audio is its song.
    expect(run.finalAudio?.path).toBe(audio(run.artifacts));
    expect(run.finalLyrics).toBeTruthy();
  }, 600_000);
});
