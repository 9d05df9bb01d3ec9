// examples/album-with-pipelines.yaml end to end on the dev server with the simulator: planned as
// `npm run album` plans it, run by the album workflow, and checked for what a listener gets — each
// track's album file is its definition's final audio (measured with ffprobe: the extended and joined
// take is longer than a song, the remaster and the built-in song are one clip long), album.json lists
// every track with hashes that match the files on disk, the credits spent are the estimate, and
// running the album again pays for nothing.
//
// The example's continueAt was written for 12 s clips; this suite runs 6 s clips, so it scales it by
// 6/12 after planning (as the pipeline examples' suite does).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { albumPipeline } from '../album/albumPipeline';
import { planAlbum } from '../album/manifest/plan';
import { startOrAttach } from '../client/runs';
import type { AlbumPipelineInput, AlbumPipelineResult } from '../contracts/albumPipeline';
import { MusicAlbum, MusicProvider } from '../contracts/searchAttributes';
import { loadPriceTable } from '../providers/priceFile';
import { priceOf } from '../providers/prices';
import type { StepKind } from '../providers/model';
import { loadConfig } from '../runtime/config';
import { probeMedia } from '../runtime/ffmpeg';
import { downbeatSeconds } from '../simulator/melody';
import { expectSameLength, simulatorLedger, startPipelineStack, type PipelineStack } from './helpers/pipelineStack';

const EXAMPLE = path.resolve(__dirname, '..', 'examples', 'album-with-pipelines.yaml');
const CLIP_SECONDS = 6;
const EXAMPLE_CLIP_SECONDS = 12;

let env: PipelineStack;

beforeAll(async () => {
  env = await startPipelineStack('album-pipelines-it-', CLIP_SECONDS);
});

afterAll(async () => {
  await env?.stop();
});

async function runAlbum(input: AlbumPipelineInput): Promise<AlbumPipelineResult> {
  const { handle } = await startOrAttach(env.stack, albumPipeline, {
    workflowId: `album-${input.albumId}`,
    args: [input],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [
      { key: MusicProvider, value: input.provider },
      { key: MusicAlbum, value: input.albumId },
    ],
  });
  return handle.result();
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

describe('an album whose tracks run pipeline definitions, on the dev server with the simulator', () => {
  it(`album-with-pipelines.yaml (continueAt scaled to ${CLIP_SECONDS} s clips): each track is its definition's final audio; a rerun pays nothing`, async () => {
    const planned = await planAlbum(EXAMPLE, loadConfig({ CALLBACK_SECRET: 'integration-test-secret' }), { out: path.join(env.scratch, 'out'), callbacks: true });
    if (!planned.ok) throw new Error(planned.errors.join('\n'));
    const { input, estimate } = planned.plan;
    const [one, two, three] = input.tracks;
    expect(one!.pipeline?.definition).toBe('album-pipelines/long-take.yaml');
    expect(two!.pipeline?.definition).toBe('album-pipelines/remastered.yaml');
    expect(three!.pipeline).toBeUndefined();
    for (const step of one!.pipeline!.plan.steps) if (step.params.continueAt !== undefined) step.params.continueAt *= CLIP_SECONDS / EXAMPLE_CLIP_SECONDS;
    const continueAt = one!.pipeline!.plan.steps.find((s) => s.name === 'extend')!.params.continueAt!;
    expect(continueAt).toBe(5);

    // The estimate counts each definition's steps by kind from the price table.
    const prices = await loadPriceTable();
    const price = (...kinds: StepKind[]) => kinds.reduce((n, k) => n + priceOf(prices, 'acedata', k)!.credits, 0);
    expect(estimate.perTrack.map((t) => t.credits)).toEqual([price('song', 'extend', 'concat'), price('song', 'remaster'), price('song')]);

    const paidBefore = (await simulatorLedger(env)).length;
    const result = await runAlbum(input);
    expect(result.tracks.map((t) => [t.number, t.state, t.error])).toEqual([
      [1, 'succeeded', undefined],
      [2, 'succeeded', undefined],
      [3, 'succeeded', undefined],
    ]);
    expect(result.status).toBe('succeeded');
    const paid = (await simulatorLedger(env)).slice(paidBefore);
    expect(paid.length, 'one paid submit per step: 3 + 2 + 1').toBe(6);
    expect(result.creditsSpent).toBe(estimate.total);

    const [t1, t2, t3] = result.tracks;
    const seconds = async (file: string) => (await probeMedia(file)).durationSeconds;
    // Track 1: the joined take, the song up to continueAt then the extension; longer than a clip.
    const extension = t1!.run!.artifacts.find((a) => path.basename(a.path) === 'extend.mp3')!;
    expect(path.basename(t1!.run!.finalAudio!.path)).toBe('take.mp3');
    const take = await seconds(t1!.tagged!.path);
    expectSameLength(take, continueAt + (await seconds(extension.path)), 'the tagged take');
    expect(take).toBeGreaterThan(CLIP_SECONDS + 1);
    // Track 2: only the remaster is kept, and it lasts as long as the song it remastered.
    expect(t2!.run!.artifacts.filter((a) => a.kind === 'audio').map((a) => path.basename(a.path))).toEqual(['master.mp3']);
    expectSameLength(await seconds(t2!.tagged!.path), CLIP_SECONDS, 'the tagged remaster');
    // Track 3: the built-in song pipeline, as `npm run song` makes it.
    expect(t3!.result?.artifacts.some((a) => a.kind === 'manifest' && path.basename(a.path) === 'track.json')).toBe(true);
    expectSameLength(await seconds(t3!.tagged!.path), CLIP_SECONDS, 'the tagged song');

    // album.json lists every track, its tagged copy and its own files, each hash matching the disk.
    const albumJson = JSON.parse(await readFile(result.files.find((f) => f.kind === 'album-manifest')!.path, 'utf8')) as {
      tracks: { number: number; durationSeconds?: number; files: { file: string; kind: string; sha256: string }[] }[];
    };
    expect(albumJson.tracks.map((t) => t.number)).toEqual([1, 2, 3]);
    expect(albumJson.tracks[0]!.files.find((f) => f.kind === 'audio')!.file).toMatch(/take\.mp3$/);
    expectSameLength(albumJson.tracks[0]!.durationSeconds!, take, 'album.json: track 1');
    for (const [i, track] of albumJson.tracks.entries()) {
      const tagged = track.files.find((f) => f.kind === 'tagged-audio')!;
      expect(path.resolve(input.outDir, tagged.file)).toBe(result.tracks[i]!.tagged!.path);
      for (const file of track.files) expect(await sha256(path.resolve(input.outDir, file.file)), `${file.file} sha256`).toBe(file.sha256);
    }

    // Tempo and key of every track, measured from its audio (the manifest leaves analysis on). Track
    // 3 is a plain simulator clip, whose tune plays at the tempo its clip id seeds.
    for (const t of result.tracks) expect(t.analysis, `track ${t.number}: ${t.analysisError}`).toEqual({ bpm: expect.any(Number), key: expect.stringMatching(/^[A-G]#? (major|minor)$/) });
    const [bar1, bar2] = downbeatSeconds(t3!.result!.clip.clipId, CLIP_SECONDS);
    expect(Math.abs(t3!.analysis!.bpm - 240 / (bar2! - bar1!)), `track 3: heard ${t3!.analysis!.bpm} BPM`).toBeLessThanOrEqual(2);
    expect(await readFile(path.join(input.outDir, 'report.html'), 'utf8')).toContain(`${t3!.analysis!.bpm} BPM`);

    // Again: every track reuses what it made; nothing is submitted and nothing is spent.
    const paidAfterFirst = (await simulatorLedger(env)).length;
    const again = await runAlbum(input);
    expect(again.status).toBe('succeeded');
    expect((await simulatorLedger(env)).length, 'a rerun pays for nothing').toBe(paidAfterFirst);
    expect(again.creditsSpent).toBe(0);
    expect(again.tracks.map((t) => t.tagged!.sha256)).toEqual(result.tracks.map((t) => t.tagged!.sha256));
  }, 600_000);
});
