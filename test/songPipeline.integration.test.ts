// One song end to end on the real stack: the temporal CLI dev server, the worker, the callback
// endpoint and the simulator, all over loopback — the same startStack that `npm start` runs.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../runtime/config';
import { probeMedia } from '../runtime/ffmpeg';
import { startStack, type RunningStack } from '../stack/stack';
import { progressQuery } from '../contracts/pipelineMessages';
import { MusicProvider, MusicState, MusicStep } from '../contracts/searchAttributes';
import type { SongPipelineInput, SongPipelineResult } from '../contracts/songPipeline';
import { PIPELINE_STEPS } from '../contracts/trackManifest';
import { WORKFLOWS_PATH } from '../workers/worker';

let stack: RunningStack;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'song-it-'));
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  stack = await startStack({
    // Only defaults: no API keys, so every provider is played by the simulator.
    config: loadConfig({ CALLBACK_SECRET: 'integration-test-secret' }),
    log: () => {},
    devServer: { port: 0, uiPort: 0, ui: false, dbFile: path.join(scratch, 'temporal.db') },
    simulator: { port: 0, stageDelaysMs: { text: 300, first: 600, complete: 900 }, clipSeconds: 4, stateDir: path.join(scratch, 'simulator') },
    callbackPort: 0,
    workflowBundle,
    pollScale: 0.2,
  });
});

afterAll(async () => {
  await stack?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function runSong(name: string, callbacks: boolean, steps: SongPipelineInput['steps'] = ['lyrics', 'song']): Promise<SongPipelineResult> {
  const input: SongPipelineInput = {
    provider: 'anyint',
    request: { prompt: `a calm piano piece about rain (${name})`, instrumental: false },
    steps,
    outDir: path.join(scratch, 'out', name),
    callbacks,
  };
  const handle = await stack.client.workflow.start('songPipeline', {
    taskQueue: stack.taskQueue,
    workflowId: `it-${name}`,
    args: [input],
    typedSearchAttributes: [{ key: MusicProvider, value: 'anyint' }],
  });
  const result: SongPipelineResult = await handle.result();
  const progress = await handle.query(progressQuery);
  expect(progress.state).toBe('succeeded');
  return result;
}

async function expectVerifiedFiles(result: SongPipelineResult): Promise<void> {
  for (const artifact of result.artifacts) {
    const bytes = await readFile(artifact.path);
    expect(bytes.length).toBe(artifact.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(artifact.sha256);
  }
  const audio = result.artifacts.find((a) => a.kind === 'audio')!;
  const probe = await probeMedia(audio.path);
  expect(probe.streams.some((s) => s.codecType === 'audio')).toBe(true);
  expect(probe.durationSeconds).toBeGreaterThan(3.5);
  const lyrics = await readFile(result.artifacts.find((a) => a.kind === 'lyrics')!.path, 'utf8');
  expect(lyrics.trim().length).toBeGreaterThan(20);
  const manifest = JSON.parse(await readFile(path.join(result.outDir, 'track.json'), 'utf8'));
  expect(manifest.steps.lyrics.taskId).toBeTruthy();
  expect(manifest.steps.song.taskId).toBeTruthy();
  expect(manifest.files).toHaveLength(result.artifacts.length - 1);
}

describe('song pipeline on the dev server with the simulator', () => {
  it('makes a song and every later step end to end with callbacks', async () => {
    const signalledBefore = stack.callbackEndpoint!.stats.signalled;
    const result = await runSong('with-callbacks', true, [...PIPELINE_STEPS]);
    expect(result.status).toBe('succeeded');
    await expectVerifiedFiles(result);
    const names = result.artifacts.map((a) => path.relative(result.outDir, a.path)).sort();
    expect(names).toEqual([
      'all-stems/bass.mp3', 'all-stems/drums.mp3', 'all-stems/keyboard.mp3', 'all-stems/vocals.mp3',
      'clip-image.png', 'cover.png', 'lyrics.lrc', 'lyrics.txt', 'song.mp3', 'song.wav',
      'stems/instrumental.mp3', 'stems/vocals.mp3', 'track.json', 'video.mp4',
    ]);
    expect(result.personaId).toBeTruthy();
    const songSeconds = result.artifacts.find((a) => a.kind === 'audio')!.durationSeconds!;
    for (const a of result.artifacts.filter((a) => ['stem', 'wav', 'video'].includes(a.kind))) {
      expect(Math.abs(a.durationSeconds! - songSeconds)).toBeLessThanOrEqual(0.5);
    }
    const video = await probeMedia(result.artifacts.find((a) => a.kind === 'video')!.path);
    expect(video.streams.map((s) => s.codecType).sort()).toEqual(['audio', 'video']);
    const lrc = await readFile(path.join(result.outDir, 'lyrics.lrc'), 'utf8');
    const stamps = [...lrc.matchAll(/^\[(\d\d):(\d\d\.\d\d)\]/gm)].map((m) => Number(m[1]) * 60 + Number(m[2]));
    expect(stamps.length).toBeGreaterThan(2);
    expect(stamps.every((t, i) => t <= songSeconds && (i === 0 || t >= stamps[i - 1]!))).toBe(true);
    // lyrics (complete) + song (text, first, complete) reached the workflow as signals.
    expect(stack.callbackEndpoint!.stats.signalled - signalledBefore).toBeGreaterThanOrEqual(2);

    const description = await stack.client.workflow.getHandle('it-with-callbacks').describe();
    expect(description.typedSearchAttributes.get(MusicProvider)).toBe('anyint');
    expect(description.typedSearchAttributes.get(MusicStep)).toBe('done');
    expect(description.typedSearchAttributes.get(MusicState)).toBe('succeeded');
  });

  it('makes a song end to end by polling alone when callbacks are disabled', async () => {
    const signalledBefore = stack.callbackEndpoint!.stats.signalled;
    const result = await runSong('polling-only', false);
    await expectVerifiedFiles(result);
    expect(stack.callbackEndpoint!.stats.signalled).toBe(signalledBefore);
  });
});
