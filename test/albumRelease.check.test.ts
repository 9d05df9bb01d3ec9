// The release check on album folders made the real way: ffmpeg-made songs in track folders with their
// track.json, tagged (and mastered) by the album's assembly activities, and album.json written by
// writeAlbumManifest. Then `checkRelease` and the command itself read them back.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createAlbumAssemblyActivities } from '../album/assembly/albumAssembly';
import { checkRelease, type ReleaseReport } from '../album/release/releaseCheck';
import type { AlbumFileInput, AlbumTrackInput } from '../contracts/albumFiles';
import type { TrackManifest } from '../contracts/trackManifest';
import { LocalArtifactStore } from '../artifacts/store/localStore';
import { runFfmpeg } from '../runtime/ffmpeg';

const activities = createAlbumAssemblyActivities(new LocalArtifactStore());
const disclosure = { vocals: true, instrumentation: true, composition: true, lyrics: false, postProduction: false };

let dir: string;
const source: Record<string, string> = {};

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** A track folder as the song pipeline leaves it (song.mp3, maybe cover.png, track.json), and its tagged copy. */
async function makeTrack(albumDir: string, number: number, title: string, song: string, options: { cover?: string; master?: boolean } = {}): Promise<AlbumTrackInput> {
  const dirName = `0${number}-${title.toLowerCase().replace(/\W+/g, '-')}`;
  const trackDir = path.join(albumDir, dirName);
  await mkdir(trackDir, { recursive: true });
  await writeFile(path.join(trackDir, 'song.mp3'), await readFile(song));
  const names = ['song.mp3'];
  if (options.cover) {
    await writeFile(path.join(trackDir, 'cover.png'), await readFile(options.cover));
    names.push('cover.png');
  }
  const files = await Promise.all(
    names.map(async (name) => ({ file: name, kind: name === 'song.mp3' ? ('audio' as const) : ('cover' as const), sha256: await sha256(path.join(trackDir, name)), bytes: (await readFile(path.join(trackDir, name))).length })),
  );
  const manifest: TrackManifest = {
    version: 1,
    title,
    provider: 'anyint',
    workflowId: `album-release-t${number}`,
    runId: `run-${number}`,
    request: { prompt: 'a tone', instrumental: true },
    clip: { taskId: `task-${number}`, clipId: `clip-${number}`, durationSeconds: 35 },
    steps: { song: { state: 'succeeded', taskId: `task-${number}`, files: names } },
    files,
  };
  await writeFile(path.join(trackDir, 'track.json'), JSON.stringify(manifest, null, 2));
  const tagged = await activities.tagTrack({ mp3Path: path.join(trackDir, 'song.mp3'), outPath: path.join(albumDir, `0${number} - ${title}.mp3`), title, artist: 'The Oscillators', album: 'Signals', trackNumber: number, trackCount: 4, coverPath: options.cover });
  const extra: AlbumFileInput[] = [{ path: tagged.path, kind: 'tagged-audio', sha256: tagged.sha256 }];
  if (options.master) {
    const mastered = await activities.normalizeLoudness({ inPath: tagged.path, outPath: path.join(albumDir, 'mastered', `0${number} - ${title}.mp3`), targetLufs: -14, truePeakDb: -1.5 });
    extra.push({ path: mastered.path, kind: 'mastered-audio', sha256: mastered.sha256 });
  }
  return { number, title, state: 'succeeded', trackDir, files: extra };
}

async function writeAlbum(albumDir: string, id: string, tracks: AlbumTrackInput[]): Promise<void> {
  await activities.writeAlbumManifest({ albumDir, album: { id, title: 'Signals', artist: 'The Oscillators', provider: 'anyint' }, tracks });
}


beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'album-release-'));
  const make = async (name: string, args: string[]) => {
    source[name] = path.join(dir, name);
    await runFfmpeg([...args, source[name]]);
  };
  // 35 s of a tone with a slow tremolo, so that loudness measures like music rather than a test signal.
  const tone = ['-f', 'lavfi', '-i', 'sine=frequency=330:duration=35', '-af', 'tremolo=f=2:d=0.3', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '192k'];
  await make('tone.mp3', tone);
  // The same tone 30 dB louder: flattened at full scale.
  await make('loud.mp3', ['-f', 'lavfi', '-i', 'sine=frequency=330:duration=35', '-af', 'volume=30dB', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '192k']);
  // 35 s of tone, then 12 s of silence (529200 samples at 44.1 kHz; this ffmpeg has no pad_dur).
  await make('tail.mp3', ['-f', 'lavfi', '-i', 'sine=frequency=330:duration=35', '-af', 'tremolo=f=2:d=0.3,apad=pad_len=529200', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '192k']);
  await make('small.png', ['-f', 'lavfi', '-i', 'color=c=steelblue:s=512x512:d=1', '-frames:v', '1']);
  await make('big.jpg', ['-f', 'lavfi', '-i', 'color=c=darkred:s=3000x3000:d=1', '-frames:v', '1', '-q:v', '5']);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('release check of an album with problems', () => {
  let report: ReleaseReport;
  const albumDir = () => path.join(dir, 'out', 'signals-rough');

  beforeAll(async () => {
    const tracks = [
      await makeTrack(albumDir(), 1, 'Clean', source['tone.mp3']!, { cover: source['small.png'], master: true }),
      await makeTrack(albumDir(), 2, 'Loud', source['loud.mp3']!),
      await makeTrack(albumDir(), 3, 'Long Tail', source['tail.mp3']!),
      await makeTrack(albumDir(), 4, 'Echo', source['tail.mp3']!),
    ];
    await writeAlbum(albumDir(), 'signals-rough', tracks);
    report = await checkRelease({ albumDir: albumDir(), release: { aiDisclosure: disclosure, upc: '036000291452' }, isrcs: new Map([[1, 'US-RC1-76-07839'], [2, 'USRC17607840'], [3, 'USRC17607841']]) });
  }, 180_000);

  const of = (check: string, track?: number) => report.problems.filter((p) => p.check === check && p.track?.number === track);

  it('is not ready', () => {
    expect(report.ready).toBe(false);
  });

  it('flags the loud clipped track with its true peak and clipped samples', () => {
    const [peak] = of('true-peak', 2);
    expect(peak).toMatchObject({ severity: 'error', track: { number: 2, title: 'Loud' }, limit: -1 });
    expect(peak!.figure).toBeGreaterThan(-0.5);
    expect(peak!.message).toBe(`true peak ${peak!.figure!.toFixed(1)} dBTP; at most -1 dBTP (it distorts once encoded)`);
    const [clipped] = of('clipping', 2);
    expect(clipped!.figure).toBeGreaterThan(1000);
    expect(of('true-peak', 1)).toEqual([]);
    expect(of('clipping', 1)).toEqual([]);
    expect(of('clipping', 3)).toEqual([]);
  });

  it('flags 12 s of trailing silence with its length, and not on a track that plays to the end', () => {
    const [tail] = of('trailing-silence', 3);
    expect(tail!.figure).toBeGreaterThan(11.5);
    expect(tail!.figure).toBeLessThan(12.5);
    expect(tail!.message).toMatch(/^ends with 1[12]\.\d s of silence; at most 10 s$/);
    expect(of('trailing-silence', 1)).toEqual([]);
    expect(report.tracks[0]!.audio!.trailingSilenceSeconds).toBeLessThan(1);
  });

  it("flags the provider's 512×512 cover with its size", () => {
    const [cover] = report.problems.filter((p) => p.check === 'cover-size');
    expect(cover).toMatchObject({ severity: 'error', figure: 512, limit: 1000 });
    expect(cover!.message).toBe("cover 01-clean/cover.png is 512×512 px; distributors refuse art under 1000×1000 (the provider's image; give your own art as release.cover)");
  });

  it('flags the same audio under two titles, and the track without an ISRC', () => {
    expect(of('duplicate-audio', 4)[0]!.message).toMatch(/^same audio as track 3 \(sha256 [0-9a-f]{12}…\)/);
    expect(of('duplicate-audio', 3)).toEqual([]);
    expect(of('isrc-missing', 4)[0]!.message).toBe('no ISRC (tracks[4].isrc): every recording needs one');
    expect(report.problems.filter((p) => p.check === 'isrc-missing')).toHaveLength(1);
  });

  it('measures the mastered copy when there is one, at the loudness it was mastered to', () => {
    expect(report.tracks[0]!.file).toBe('mastered/01 - Clean.mp3');
    expect(report.tracks[0]!.audio!.integratedLufs).toBeGreaterThan(-15);
    expect(report.tracks[0]!.audio!.integratedLufs).toBeLessThan(-13);
    expect(of('loudness', 1)).toEqual([]);
    expect(report.tracks[1]!.file).toBe('02 - Loud.mp3');
  });
});

describe('release check of a clean album, and the command', () => {
  const id = 'signals-clean';
  const out = () => path.join(dir, 'out');
  let manifest: string;

  beforeAll(async () => {
    const albumDir = path.join(out(), id);
    await writeAlbum(albumDir, id, [await makeTrack(albumDir, 1, 'Clean', source['tone.mp3']!, { cover: source['small.png'], master: true })]);
    // The user's own 3000×3000 art replaces the provider's small image.
    await writeFile(path.join(dir, 'cover.jpg'), await readFile(source['big.jpg']!));
    manifest = path.join(dir, 'clean.yaml');
    await writeFile(
      manifest,
      stringify({ id, title: 'Signals', artist: 'The Oscillators', tracks: [{ title: 'Clean', prompt: 'a tone', isrc: 'US-RC1-76-07839' }], release: { upc: '036000291452', aiDisclosure: disclosure, cover: 'cover.jpg' } }),
    );
  }, 120_000);

  function albumCommand(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        'npx',
        ['tsx', 'scripts/album.ts', ...args],
        // A closed Temporal port: the check must not need the server.
        { cwd: path.resolve(import.meta.dirname, '..'), env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:9', OUT_DIR: out(), ARTIFACT_STORE: 'local' }, timeout: 120_000 },
        (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it('exits 0 with no problems and prints the figures it measured', async () => {
    const outcome = await albumCommand([manifest, '--release-check']);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    // Ready (warnings allowed): the MP3 is flagged, since distributors take WAV or FLAC.
    expect(outcome.stdout).toMatch(/^release check of "Signals": ready for a distributor \(1 warning\)\n  warning  track 1 "Clean": mastered\/01 - Clean\.mp3 is mp3; distributors take WAV or FLAC \(release\.delivery in the manifest makes them\)\n/);
    expect(outcome.stdout).toMatch(/ 1\. Clean: 35\.\d s, -1[34]\.\d LUFS, true peak -\d+\.\d dBTP, trailing silence 0\.\d s, 0 clipped samples \(mastered\/01 - Clean\.mp3\)/);
    expect(outcome.stdout).toContain(`cover ${path.join(dir, "cover.jpg")}: 3000×3000 mjpeg`);
  }, 120_000);

  it('exits 3 and lists the problems as JSON when the manifest lacks the codes', async () => {
    const bare = path.join(dir, 'bare.yaml');
    await writeFile(bare, stringify({ id, title: 'Signals', artist: 'The Oscillators', tracks: [{ title: 'Clean', prompt: 'a tone' }], release: { aiDisclosure: disclosure, cover: 'cover.jpg' } }));
    const outcome = await albumCommand([bare, '--release-check', '--json']);
    expect(outcome.code).toBe(3);
    const report = JSON.parse(outcome.stdout) as ReleaseReport;
    expect(report.ready).toBe(false);
    expect(report.problems.map((p) => [p.check, p.track?.number])).toEqual([
      ['upc-missing', undefined],
      ['isrc-missing', 1],
      ['delivery-format', 1],
    ]);
  }, 120_000);

  it('refuses, naming the file, an album that was never made', async () => {
    const other = path.join(dir, 'other.yaml');
    await writeFile(other, stringify({ id: 'never-made', title: 'Other', artist: 'X', tracks: [{ title: 'One', prompt: 'p' }] }));
    const outcome = await albumCommand([other, '--release-check']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/never-made\/album\.json does not exist: make the album first/);
  }, 120_000);
});
