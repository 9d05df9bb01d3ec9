// examples/release-ready-ep.yaml end to end on the dev server with the simulator: planned as
// `npm run album` plans it, run by the album workflow, and its delivery folder checked for what a
// distributor gets — 24-bit 48 kHz stereo FLAC masters under the true-peak ceiling with their ISRC,
// the simulator's stems as WAV named for sorting and lined up with the master, the provider's cover
// with a warning naming its size — and then the release check run on the album it made.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { albumPipeline } from '../album/albumPipeline';
import { planAlbum } from '../album/manifest/plan';
import { loadAlbumManifest } from '../album/manifest/manifest';
import { checkRelease } from '../album/release/releaseCheck';
import { formatBpm } from '../album/delivery/stemNames';
import { startOrAttach } from '../client/runs';
import type { AlbumJson } from '../contracts/albumFiles';
import type { AlbumPipelineResult } from '../contracts/albumPipeline';
import { MusicAlbum, MusicProvider } from '../contracts/searchAttributes';
import { loadConfig } from '../runtime/config';
import { runFfprobe } from '../runtime/ffmpeg';
import { startPipelineStack, type PipelineStack } from './helpers/pipelineStack';

const EXAMPLE = path.resolve(__dirname, '..', 'examples', 'release-ready-ep.yaml');
const CLIP_SECONDS = 6;

let env: PipelineStack;

beforeAll(async () => {
  env = await startPipelineStack('album-delivery-it-', CLIP_SECONDS);
});

afterAll(async () => {
  await env?.stop();
});

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

describe('release-ready-ep.yaml on the dev server with the simulator', () => {
  let result: AlbumPipelineResult;
  let albumDir: string;

  beforeAll(async () => {
    const planned = await planAlbum(EXAMPLE, loadConfig({ CALLBACK_SECRET: 'integration-test-secret' }), { out: path.join(env.scratch, 'out'), callbacks: true });
    if (!planned.ok) throw new Error(planned.errors.join('\n'));
    const { input } = planned.plan;
    albumDir = input.outDir;
    const { handle } = await startOrAttach(env.stack, albumPipeline, {
      workflowId: `album-${input.albumId}`,
      args: [input],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: [
        { key: MusicProvider, value: input.provider },
        { key: MusicAlbum, value: input.albumId },
      ],
    });
    result = await handle.result();
  }, 600_000);

  it('delivers a master per track at the asked format, under the ceiling, with its ISRC', async () => {
    expect(result.status).toBe('succeeded');
    expect(result.delivery?.errors).toEqual([]);
    expect(result.delivery!.tracks.map((t) => path.basename(t.master))).toEqual(['01 - Cranes at Dusk.flac', '02 - Night Ferry.flac', '03 - Breakwater.flac']);
    for (const [i, t] of result.delivery!.tracks.entries()) {
      expect(t.truePeakDb).toBeLessThanOrEqual(-1);
      const probe = JSON.parse(await runFfprobe(['-v', 'error', '-show_streams', '-show_format', '-of', 'json', t.master])) as { streams: Record<string, unknown>[]; format: { tags: Record<string, string> } };
      expect(probe.streams[0]).toMatchObject({ codec_name: 'flac', sample_rate: '48000', channels: 2, bits_per_raw_sample: '24' });
      expect(probe.format.tags).toMatchObject({ ISRC: `QZES52600${String(i + 1).padStart(3, '0')}`, LABEL: 'Rainy Records', BARCODE: '840712345002', DATE: '2026-12-04' });
    }
  });

  it("names the simulator's stems for sorting and finds them lined up with the masters", async () => {
    const stems = (await readdir(path.join(albumDir, 'delivery', 'stems'))).sort();
    // Tempo and key come from the album's own analysis of each track, when it heard a steady beat.
    const written = JSON.parse(await readFile(path.join(albumDir, 'album.json'), 'utf8')) as AlbumJson;
    expect(written.tracks.some((t) => t.analysis)).toBe(true);
    const expected = written.tracks.flatMap((t) => {
      const middle = t.analysis ? ` - ${formatBpm(t.analysis.bpm)} BPM - ${t.analysis.key}` : '';
      return [`Lumen Drive - ${t.title}${middle} - instrumental.wav`, `Lumen Drive - ${t.title}${middle} - vocals.wav`];
    });
    expect(stems).toEqual(expected.sort());
    for (const t of result.delivery!.tracks) expect(t.stemProblems).toEqual([]);
  });

  it("delivers the provider's cover with a warning that names its size", () => {
    expect(result.delivery!.cover?.warning).toMatch(/^cover is \d+×\d+ px, the provider's image \(give your own art as release\.cover\): /);
  });

  it('lists every delivery file in album.json with its sha256', async () => {
    const written = JSON.parse(await readFile(path.join(albumDir, 'album.json'), 'utf8')) as AlbumJson;
    const listed = [...written.tracks.flatMap((t) => t.files), ...written.files].filter((f) => f.kind.startsWith('delivery-'));
    expect(listed.filter((f) => f.kind === 'delivery-master')).toHaveLength(3);
    expect(listed.filter((f) => f.kind === 'delivery-stem')).toHaveLength(6);
    for (const f of listed) expect(f.sha256).toBe(await sha256(path.join(albumDir, f.file)));
  });

  it('passes the release check for format and peak; it is refused for what the simulator cannot help (short clips, small art)', async () => {
    const loaded = await loadAlbumManifest(EXAMPLE, { defaultProvider: 'anyint' });
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const report = await checkRelease({ albumDir, release: loaded.album.release, isrcs: new Map(loaded.album.tracks.map((t) => [t.number, t.isrc!])) });
    expect(report.tracks.map((t) => t.file)).toEqual(['delivery/01 - Cranes at Dusk.flac', 'delivery/02 - Night Ferry.flac', 'delivery/03 - Breakwater.flac']);
    const checks = new Set(report.problems.map((p) => p.check));
    expect(checks.has('delivery-format')).toBe(false);
    expect(checks.has('true-peak')).toBe(false);
    expect(checks.has('isrc-missing')).toBe(false);
    expect(checks.has('too-short')).toBe(true);
    expect(checks.has('cover-size')).toBe(true);
  });
});
