// The album workflow making a delivery folder on the time-skipping server: the scripted provider's
// songs and stems, the real activities, a FLAC delivery asked for in the input's release section;
// then the run's history replayed against the same workflow code.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlbumPipelineInput, AlbumPipelineResult } from '../contracts/albumPipeline';
import type { AlbumJson } from '../contracts/albumFiles';
import { runFfprobe } from '../runtime/ffmpeg';
import { WORKFLOWS_PATH } from '../workers/worker';
import { createWorkflowHarness, finishTasksAsTheyCome, type WorkflowHarness } from './helpers/workflowHarness';
import { CLIP_SECONDS } from './helpers/scriptedProvider';

let harness: WorkflowHarness;

beforeAll(async () => {
  harness = await createWorkflowHarness();
});

afterAll(async () => {
  await harness?.teardown();
});

function album(albumId: string, release: AlbumPipelineInput['release']): AlbumPipelineInput {
  return {
    albumId,
    title: 'Delivered',
    artist: 'Tester',
    provider: 'anyint',
    outDir: harness.folder(albumId),
    tracks: [1, 2].map((n) => ({
      number: n,
      title: `Track ${n}`,
      request: { prompt: `delivered track ${n}`, instrumental: true, style: 'ambient' },
      steps: ['song', 'stems'],
      outDir: harness.folder(`${albumId}/0${n}`),
      fileStem: `0${n} - Track ${n}`,
      isrc: `USRC1760784${n}`,
    })),
    persona: { strategy: 'none' },
    concurrency: 2,
    failurePolicy: { mode: 'skip' },
    callbacks: false,
    release,
  };
}

async function run(input: AlbumPipelineInput): Promise<{ result: AlbumPipelineResult; workflowId: string }> {
  const workflowId = `album-${input.albumId}`;
  const result = await harness.withWorker(async () => {
    const stop = finishTasksAsTheyCome(harness.provider);
    const handle = await harness.env.client.workflow.start('albumPipeline', { taskQueue: harness.taskQueue, workflowId, args: [input] });
    return (handle.result() as Promise<AlbumPipelineResult>).finally(stop);
  });
  return { result, workflowId };
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

describe('albumPipeline with release.delivery', () => {
  const input = () => album('delivered', { label: 'Rainy Records', upc: '036000291452', delivery: { format: 'flac', bitDepth: 24, sampleRate: 48_000, loudness: -14, truePeak: -1 } });
  let made: { result: AlbumPipelineResult; workflowId: string };
  let albumDir: string;

  beforeAll(async () => {
    const i = input();
    albumDir = i.outDir;
    made = await run(i);
  }, 300_000);

  it('makes a delivery folder with a master per track, the stems and the cover', async () => {
    const { result } = made;
    expect(result.status).toBe('succeeded');
    expect(result.delivery?.errors).toEqual([]);
    const files = (await readdir(path.join(albumDir, 'delivery'), { recursive: true })).map(String).sort();
    expect(files).toEqual([
      '01 - Track 1.flac',
      '02 - Track 2.flac',
      'cover.png',
      'stems',
      'stems/Tester - Track 1 - instrumental.wav',
      'stems/Tester - Track 1 - vocals.wav',
      'stems/Tester - Track 2 - instrumental.wav',
      'stems/Tester - Track 2 - vocals.wav',
    ]);
    for (const t of result.delivery!.tracks) {
      expect(t.truePeakDb).toBeLessThanOrEqual(-1);
      expect(t.integratedLufs).toBeGreaterThan(-15);
      expect(t.integratedLufs).toBeLessThan(-13);
      expect(t.stemProblems).toEqual([]);
    }
    // The scripted provider's image is 64 px: delivered, with a warning that names its size.
    expect(result.delivery!.cover?.warning).toMatch(/^cover is 64×64 px, the provider's image/);
  });

  it('writes 24-bit 48 kHz stereo FLAC with the ISRC as a Vorbis comment', async () => {
    const probe = JSON.parse(await runFfprobe(['-v', 'error', '-show_streams', '-show_format', '-of', 'json', path.join(albumDir, 'delivery', '02 - Track 2.flac')])) as {
      streams: Record<string, unknown>[];
      format: { duration: string; tags: Record<string, string> };
    };
    expect(probe.streams[0]).toMatchObject({ codec_name: 'flac', sample_rate: '48000', channels: 2, bits_per_raw_sample: '24' });
    expect(Number(probe.format.duration)).toBeCloseTo(CLIP_SECONDS, 1);
    expect(probe.format.tags).toMatchObject({ ISRC: 'USRC17607842', TITLE: 'Track 2', ALBUM: 'Delivered', LABEL: 'Rainy Records', BARCODE: '036000291452' });
  });

  it('lists every delivery file in album.json with its sha256, and the figures after mastering', async () => {
    const written = JSON.parse(await readFile(path.join(albumDir, 'album.json'), 'utf8')) as AlbumJson;
    const listed = [...written.tracks.flatMap((t) => t.files), ...written.files].filter((f) => f.kind.startsWith('delivery-'));
    expect(listed).toHaveLength(2 + 4 + 1);
    for (const f of listed) expect(f.sha256).toBe(await sha256(path.join(albumDir, f.file)));
    expect(written.tracks.map((t) => t.delivery?.truePeakDb)).toEqual(made.result.delivery!.tracks.map((t) => t.truePeakDb));
    expect(written.delivery).toMatchObject({ folder: 'delivery', settings: { format: 'flac', bitDepth: 24, sampleRate: 48_000 } });
    // The result names album.json as it is now, after the delivery was recorded in it.
    const manifest = made.result.files.find((f) => f.kind === 'album-manifest')!;
    expect(manifest.sha256).toBe(await sha256(manifest.path));
  });

  it('replays its history against the workflow code', async () => {
    const history = await harness.env.client.workflow.getHandle(made.workflowId).fetchHistory();
    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, made.workflowId);
  }, 180_000);
});

describe('albumPipeline without release.delivery', () => {
  it('makes no delivery folder and reports none', async () => {
    const input = album('undelivered', { label: 'Rainy Records' });
    input.tracks = input.tracks.slice(0, 1).map((t) => ({ ...t, steps: ['song'] }));
    const { result } = await run(input);
    expect(result.status).toBe('succeeded');
    expect(result.delivery).toBeUndefined();
    await expect(readdir(path.join(input.outDir, 'delivery'))).rejects.toThrow(/ENOENT/);
  }, 300_000);
});
