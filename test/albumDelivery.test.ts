// The delivery folder made the real way: ffmpeg-made songs and stems in track folders with their
// track.json, the album's tagged copies and album.json from the assembly activities, then the
// delivery activities; every file read back with ffprobe, node-id3 or a FLAC block reader of our own.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import NodeID3 from 'node-id3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createAlbumAssemblyActivities } from '../album/assembly/albumAssembly';
import { createDeliveryActivities } from '../album/delivery/deliveryActivities';
import { deliveryFormatProblems } from '../album/release/checks';
import { checkRelease } from '../album/release/releaseCheck';
import { measureAudio } from '../album/release/measure';
import { deliverySettings } from '../album/delivery/settings';
import { masterInto } from '../album/delivery/master';
import { releaseSection } from '../album/manifest/release';
import { loadAlbumManifest } from '../album/manifest/manifest';
import type { AlbumJson, AlbumTrackInput } from '../contracts/albumFiles';
import type { DeliverTrackInput, DeliverTrackResult, DeliveryFormat } from '../contracts/albumDelivery';
import type { TrackManifest } from '../contracts/trackManifest';
import { LocalArtifactStore } from '../artifacts/store/localStore';
import { runFfmpeg, runFfprobe } from '../runtime/ffmpeg';

const store = new LocalArtifactStore();
const assembly = createAlbumAssemblyActivities(store);
const delivery = createDeliveryActivities(store);
const disclosure = { vocals: true, instrumentation: true, composition: true, lyrics: false, postProduction: false };
const SECONDS = 20;

let dir: string;
const source: Record<string, string> = {};

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

async function streamOf(file: string): Promise<Record<string, string | number>> {
  return (JSON.parse(await runFfprobe(['-v', 'error', '-select_streams', 'a:0', '-show_streams', '-of', 'json', file])) as { streams: Record<string, string | number>[] }).streams[0]!;
}

async function formatTags(file: string): Promise<Record<string, string>> {
  return (JSON.parse(await runFfprobe(['-v', 'error', '-show_format', '-of', 'json', file])) as { format: { tags?: Record<string, string> } }).format.tags ?? {};
}

/** The Vorbis comments of a FLAC file, read from its metadata blocks (not through ffmpeg, which wrote them). */
function vorbisComments(flac: Buffer): Record<string, string> {
  expect(flac.toString('latin1', 0, 4)).toBe('fLaC');
  for (let at = 4; at + 4 <= flac.length; ) {
    const last = (flac[at]! & 0x80) !== 0;
    const type = flac[at]! & 0x7f;
    const length = flac.readUIntBE(at + 1, 3);
    if (type === 4) {
      let p = at + 4;
      p += 4 + flac.readUInt32LE(p); // vendor string
      const count = flac.readUInt32LE(p);
      p += 4;
      const comments: Record<string, string> = {};
      for (let i = 0; i < count; i++) {
        const n = flac.readUInt32LE(p);
        const text = flac.toString('utf8', p + 4, p + 4 + n);
        comments[text.slice(0, text.indexOf('=')).toUpperCase()] = text.slice(text.indexOf('=') + 1);
        p += 4 + n;
      }
      return comments;
    }
    if (last) break;
    at += 4 + length;
  }
  throw new Error('no VORBIS_COMMENT block');
}

/** A track folder as the song pipeline leaves it (song, stems, cover, track.json) and its tagged copy. */
async function makeTrack(albumDir: string, number: number, title: string, files: { song: string; wav?: string; stems?: Record<string, string>; cover?: string }, isrc?: string): Promise<AlbumTrackInput & { made: { kind: string; path: string }[] }> {
  const trackDir = path.join(albumDir, `0${number}-${title.toLowerCase()}`);
  await mkdir(path.join(trackDir, 'stems'), { recursive: true });
  const placed: { name: string; kind: 'audio' | 'wav' | 'stem' | 'cover'; from: string }[] = [
    { name: 'song.mp3', kind: 'audio', from: files.song },
    ...(files.wav ? [{ name: 'song.wav', kind: 'wav' as const, from: files.wav }] : []),
    ...Object.entries(files.stems ?? {}).map(([stem, from]) => ({ name: `stems/${stem}.mp3`, kind: 'stem' as const, from })),
    ...(files.cover ? [{ name: 'cover.png', kind: 'cover' as const, from: files.cover }] : []),
  ];
  for (const p of placed) await writeFile(path.join(trackDir, p.name), await readFile(p.from));
  const manifest: TrackManifest = {
    version: 1,
    title,
    provider: 'anyint',
    workflowId: `album-delivery-t${number}`,
    runId: `run-${number}`,
    request: { prompt: 'a tone', instrumental: true },
    clip: { taskId: `task-${number}`, clipId: `clip-${number}`, durationSeconds: SECONDS },
    steps: { song: { state: 'succeeded', taskId: `task-${number}`, files: placed.map((p) => p.name) } },
    files: await Promise.all(placed.map(async (p) => ({ file: p.name, kind: p.kind, sha256: await sha256(path.join(trackDir, p.name)), bytes: (await readFile(path.join(trackDir, p.name))).length }))),
  };
  await writeFile(path.join(trackDir, 'track.json'), JSON.stringify(manifest, null, 2));
  const tagged = await assembly.tagTrack({ mp3Path: path.join(trackDir, 'song.mp3'), outPath: path.join(albumDir, `0${number} - ${title}.mp3`), title, artist: 'The Oscillators', album: 'Signals', trackNumber: number, trackCount: 2, isrc, label: 'Rainy Records', copyright: '2026 Rainy Records' });
  return { number, title, state: 'succeeded', trackDir, files: [{ path: tagged.path, kind: 'tagged-audio', sha256: tagged.sha256 }], made: placed.map((p) => ({ kind: p.kind, path: path.join(trackDir, p.name) })) };
}

function deliverInput(albumDir: string, settings: DeliveryFormat, track: Awaited<ReturnType<typeof makeTrack>>, isrc?: string): DeliverTrackInput {
  const wav = track.made.find((m) => m.kind === 'wav');
  return {
    albumDir,
    settings,
    number: track.number,
    trackCount: 2,
    title: track.title,
    artist: 'The Oscillators',
    album: 'Signals',
    year: 2026,
    isrc,
    label: 'Rainy Records',
    upc: '036000291452',
    releaseDate: '2026-12-04',
    copyright: '2026 Rainy Records',
    sourcePath: (wav ?? track.made.find((m) => m.kind === 'audio')!).path,
    fileStem: `0${track.number} - ${track.title}`,
    stems: track.made.filter((m) => m.kind === 'stem').map((m) => ({ path: m.path, name: path.basename(m.path, '.mp3') })),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'album-delivery-'));
  const make = async (name: string, args: string[]) => {
    source[name] = path.join(dir, name);
    await runFfmpeg([...args, source[name]]);
  };
  const mp3 = ['-ac', '2', '-c:a', 'libmp3lame', '-b:a', '192k'];
  // A tone with a slow tremolo, so that it measures like music rather than a test signal.
  await make('tone.mp3', ['-f', 'lavfi', '-i', `sine=frequency=330:duration=${SECONDS}`, '-af', 'tremolo=f=2:d=0.3', ...mp3]);
  // The same tone 30 dB louder: flattened at full scale, its true peak far above 0 dBTP.
  await make('loud.mp3', ['-f', 'lavfi', '-i', `sine=frequency=330:duration=${SECONDS}`, '-af', 'tremolo=f=2:d=0.3,volume=30dB', ...mp3]);
  // A stem bounced 1.5 s late: it starts with silence and runs past the master's end.
  await make('late.mp3', ['-f', 'lavfi', '-i', `sine=frequency=110:duration=${SECONDS}`, '-af', 'adelay=1500|1500', ...mp3]);
  // The provider's WAV of a song: mono, 48 kHz.
  await make('mono.wav', ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${SECONDS}`, '-af', 'tremolo=f=3:d=0.5,volume=-20dB', '-ac', '1', '-ar', '48000', '-c:a', 'pcm_s16le']);
  await make('small.png', ['-f', 'lavfi', '-i', 'color=c=steelblue:s=512x512:d=1', '-frames:v', '1']);
  await make('big.jpg', ['-f', 'lavfi', '-i', 'color=c=darkred:s=3000x3000:d=1', '-frames:v', '1', '-q:v', '5']);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('delivery settings in the manifest', () => {
  it('takes the distributors’ defaults from an empty section and names the field it refuses', () => {
    expect(deliverySettings.parse({})).toEqual({ format: 'wav', bitDepth: 16, sampleRate: 44_100, loudness: -14, truePeak: -1 });
    const bad = releaseSection.safeParse({ aiDisclosure: disclosure, delivery: { format: 'mp3', bitDepth: 20, sampleRate: 22_050, truePeak: 1 } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['delivery.format', 'must be one of wav, flac'],
      ['delivery.bitDepth', 'must be one of 16, 24 (bits)'],
      ['delivery.sampleRate', 'must be one of 44100, 48000, 96000 (Hz)'],
      ['delivery.truePeak', 'must be at most 0 dBTP'],
    ]);
  });

  it('refuses a bad delivery section in a manifest file, each problem with its path', async () => {
    const file = path.join(dir, 'bad-delivery.yaml');
    await writeFile(file, stringify({ title: 'X', artist: 'Y', tracks: [{ title: 'A', prompt: 'p' }], release: { aiDisclosure: disclosure, delivery: { format: 'mp3', bitDepth: 20, sampleRat: 48_000 } } }));
    const loaded = await loadAlbumManifest(file, { defaultProvider: 'anyint' });
    expect(loaded.ok ? [] : loaded.errors).toEqual([
      'release.delivery.format: must be one of wav, flac (got "mp3")',
      'release.delivery.bitDepth: must be one of 16, 24 (got number 20)',
      'release.delivery.sampleRat: unknown field',
    ]);
  });
});

describe('a WAV delivery of a deliberately loud track with stems', () => {
  const albumDir = () => path.join(dir, 'out', 'signals-wav');
  const settings = deliverySettings.parse({});
  let track: DeliverTrackResult;
  let albumJson: AlbumJson;

  beforeAll(async () => {
    const loud = await makeTrack(albumDir(), 1, 'Loud', { song: source['loud.mp3']!, stems: { vocals: source['tone.mp3']!, instrumental: source['loud.mp3']!, drums: source['late.mp3']! }, cover: source['small.png'] }, 'US-RC1-76-07839');
    await assembly.writeAlbumManifest({ albumDir: albumDir(), album: { id: 'signals-wav', title: 'Signals', artist: 'The Oscillators', provider: 'anyint' }, tracks: [loud] });
    // The analysis (written into album.json's track entry by the album's analysis step) gives BPM and key.
    const file = path.join(albumDir(), 'album.json');
    const written = JSON.parse(await readFile(file, 'utf8'));
    written.tracks[0].analysis = { bpm: 120, key: 'A minor' };
    await writeFile(file, JSON.stringify(written, null, 2));

    track = await delivery.deliverTrack(deliverInput(albumDir(), settings, loud, 'US-RC1-76-07839'));
    const cover = await delivery.deliverCover({ albumDir: albumDir(), providerCover: loud.made.find((m) => m.kind === 'cover')!.path });
    await delivery.recordDelivery({ albumDir: albumDir(), settings, tracks: [track], cover });
    albumJson = JSON.parse(await readFile(file, 'utf8'));
  }, 240_000);

  it('masters to 16-bit 44.1 kHz stereo WAV at the target, its true peak under the ceiling', async () => {
    expect(track.master.path).toBe(path.join(albumDir(), 'delivery', '01 - Loud.wav'));
    const stream = await streamOf(track.master.path);
    expect(stream).toMatchObject({ codec_name: 'pcm_s16le', sample_rate: '44100', channels: 2, bits_per_sample: 16 });
    // The loud input's true peak is far over 0 dBTP; the master's, measured again here, is at most −1.
    expect(track.master.before.truePeakDb).toBeGreaterThan(3);
    const measured = await measureAudio(track.master.path);
    expect(measured.truePeakDb).toBeLessThanOrEqual(-1);
    expect(track.master.truePeakDb).toBeLessThanOrEqual(-1);
    expect(Math.abs(measured.truePeakDb! - track.master.truePeakDb)).toBeLessThan(0.15);
    expect(measured.integratedLufs).toBeGreaterThan(-15);
    expect(measured.integratedLufs).toBeLessThan(-13);
    expect(measured.durationSeconds).toBeCloseTo(SECONDS, 1);
  });

  it('tags the WAV with its ISRC in an ID3 chunk, and its title in RIFF INFO; the album MP3 carries TSRC too', async () => {
    const tags = await formatTags(track.master.path);
    expect(tags.TSRC).toBe('USRC17607839');
    expect(tags.title).toBe('Loud');
    expect(tags.publisher).toBe('Rainy Records');
    expect(track.master.tags).toEqual(expect.arrayContaining(['INAM', 'IART', 'ID3 TSRC', 'ID3 TPUB', 'ID3 TCOP']));
    const mp3 = NodeID3.read(path.join(albumDir(), '01 - Loud.mp3'), { noRaw: true });
    expect(mp3.ISRC).toBe('USRC17607839');
    expect(mp3.publisher).toBe('Rainy Records');
  });

  it('names the stems with artist, title, BPM, key and stem, and reports the one that does not line up', async () => {
    const names = track.stems.map((s) => path.basename(s.path)).sort();
    expect(names).toEqual([
      'The Oscillators - Loud - 120 BPM - A minor - drums.wav',
      'The Oscillators - Loud - 120 BPM - A minor - instrumental.wav',
      'The Oscillators - Loud - 120 BPM - A minor - vocals.wav',
    ]);
    const drums = track.stems.find((s) => s.stem === 'drums')!;
    expect(drums.problem).toMatch(/^lasts 21\.5\d* s, the master 20\.0\d* s \(\+1\.5\d* s\): it does not line up with the master from zero to the end$/);
    expect(track.stems.filter((s) => s.problem).map((s) => s.stem)).toEqual(['drums']);
    for (const s of track.stems) expect(await streamOf(s.path)).toMatchObject({ codec_name: 'pcm_s16le', sample_rate: '44100', channels: 2 });
  });

  it("copies the provider's small cover with a warning that names its size", async () => {
    expect(albumJson.delivery?.cover).toEqual({
      file: 'delivery/cover.png',
      width: 512,
      height: 512,
      source: 'provider',
      warning: "cover is 512×512 px, the provider's image (give your own art as release.cover): distributors refuse art under 1000×1000",
    });
  });

  it('lists every delivery file in album.json with its sha256, the figures after mastering, and keeps the analysis', async () => {
    const t = albumJson.tracks[0]!;
    const delivered = [...t.files, ...albumJson.files].filter((f) => f.kind.startsWith('delivery-'));
    expect(delivered.map((f) => f.kind).sort()).toEqual(['delivery-cover', 'delivery-master', 'delivery-stem', 'delivery-stem', 'delivery-stem']);
    for (const f of delivered) expect(f.sha256).toBe(await sha256(path.join(albumDir(), f.file)));
    expect(t.delivery).toMatchObject({ master: 'delivery/01 - Loud.wav', format: 'wav', sampleRate: 44_100, bitDepth: 16, channels: 2, truePeakDb: track.master.truePeakDb, integratedLufs: track.master.integratedLufs, ceilingDb: -1, targetLufs: -14 });
    expect(t.delivery!.stems.find((s) => s.stem === 'drums')!.problem).toBe(track.stems.find((s) => s.stem === 'drums')!.problem);
    expect((t as unknown as { analysis: unknown }).analysis).toEqual({ bpm: 120, key: 'A minor' });
  });

  it('is what the release check measures, and it finds nothing wrong with its format or peak', async () => {
    const report = await checkRelease({ albumDir: albumDir(), release: { aiDisclosure: disclosure, upc: '036000291452', delivery: settings }, isrcs: new Map([[1, 'US-RC1-76-07839']]) });
    expect(report.tracks[0]!.file).toBe('delivery/01 - Loud.wav');
    expect(report.tracks[0]!.audio).toMatchObject({ sampleRate: 44_100, bitDepth: 16, channels: 2 });
    expect(report.problems.filter((p) => p.track?.number === 1).map((p) => p.check)).toEqual(['too-short']);
  });

  it('is printed by the release check command with its rate, depth and channels', async () => {
    const manifest = path.join(dir, 'signals-wav.yaml');
    await writeFile(
      manifest,
      stringify({ id: 'signals-wav', title: 'Signals', artist: 'The Oscillators', tracks: [{ title: 'Loud', prompt: 'a tone', isrc: 'US-RC1-76-07839' }], release: { upc: '036000291452', aiDisclosure: disclosure, delivery: {} } }),
    );
    const outcome = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        'npx',
        ['tsx', 'scripts/album.ts', manifest, '--release-check'],
        // A closed Temporal port: the check must not need the server.
        { cwd: path.resolve(import.meta.dirname, '..'), env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:9', OUT_DIR: path.join(dir, 'out'), ARTIFACT_STORE: 'local' }, timeout: 120_000 },
        (error, stdout) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout }),
      );
    });
    // Refused only for its length (the test's songs are 20 s); the master's format passes.
    expect(outcome.code).toBe(3);
    expect(outcome.stdout).not.toMatch(/delivery-format|true peak .* dBTP; at most/);
    expect(outcome.stdout).toMatch(/ 1\. Loud: 20\.0 s, 44100 Hz 16-bit stereo, -1[345]\.\d LUFS, true peak -\d+\.\d dBTP, .*\(delivery\/01 - Loud\.wav\)/);
  }, 120_000);

  it('writes the same bytes again on a rerun', async () => {
    const again = await delivery.deliverTrack(deliverInput(albumDir(), settings, { ...(await rebuilt()) }, 'US-RC1-76-07839'));
    expect(again.master.sha256).toBe(track.master.sha256);
    expect(again.stems.map((s) => s.sha256).sort()).toEqual(track.stems.map((s) => s.sha256).sort());
  }, 120_000);

  async function rebuilt() {
    const trackDir = path.join(albumDir(), '01-loud');
    return {
      number: 1,
      title: 'Loud',
      state: 'succeeded' as const,
      made: [
        { kind: 'audio', path: path.join(trackDir, 'song.mp3') },
        ...['vocals', 'instrumental', 'drums'].map((s) => ({ kind: 'stem', path: path.join(trackDir, 'stems', `${s}.mp3`) })),
      ],
    };
  }
});

describe('a FLAC delivery at 24 bit 96 kHz from a mono provider WAV, with the user’s own cover', () => {
  const albumDir = () => path.join(dir, 'out', 'signals-flac');
  const settings = deliverySettings.parse({ format: 'flac', bitDepth: 24, sampleRate: 96_000 });
  let track: DeliverTrackResult;

  beforeAll(async () => {
    const quiet = await makeTrack(albumDir(), 2, 'Quiet', { song: source['tone.mp3']!, wav: source['mono.wav']!, stems: { vocals: source['tone.mp3']! } }, 'USRC17607840');
    await assembly.writeAlbumManifest({ albumDir: albumDir(), album: { id: 'signals-flac', title: 'Signals', artist: 'The Oscillators', provider: 'anyint' }, tracks: [quiet] });
    track = await delivery.deliverTrack(deliverInput(albumDir(), settings, quiet, 'USRC17607840'));
  }, 240_000);

  it('masters the WAV to 24-bit 96 kHz stereo FLAC under the ceiling', async () => {
    expect(path.basename(track.master.path)).toBe('02 - Quiet.flac');
    expect(await streamOf(track.master.path)).toMatchObject({ codec_name: 'flac', sample_rate: '96000', channels: 2, bits_per_raw_sample: '24' });
    expect(track.master.truePeakDb).toBeLessThanOrEqual(-1);
    expect((await measureAudio(track.master.path)).truePeakDb).toBeLessThanOrEqual(-1);
    // The source was mono at −20 dB; the master is levelled up to the target on two channels.
    expect(track.master.before.integratedLufs).toBeLessThan(-20);
    expect(track.master.integratedLufs).toBeGreaterThan(-15);
  });

  it('writes the ISRC and the release fields as Vorbis comments', async () => {
    expect(vorbisComments(await readFile(track.master.path))).toMatchObject({
      ISRC: 'USRC17607840',
      TITLE: 'Quiet',
      ARTIST: 'The Oscillators',
      ALBUM: 'Signals',
      TRACKNUMBER: '2',
      TRACKTOTAL: '2',
      DATE: '2026-12-04',
      ORGANIZATION: 'Rainy Records',
      LABEL: 'Rainy Records',
      COPYRIGHT: '2026 Rainy Records',
      BARCODE: '036000291452',
    });
  });

  it('names a stem without BPM and key when the track has no analysis', () => {
    expect(track.analysis).toBeUndefined();
    expect(track.stems.map((s) => [path.basename(s.path), s.problem])).toEqual([['The Oscillators - Quiet - vocals.wav', undefined]]);
  });

  it("takes the user's own 3000×3000 cover without a warning", async () => {
    await writeFile(path.join(dir, 'own.jpg'), await readFile(source['big.jpg']!));
    const cover = await delivery.deliverCover({ albumDir: albumDir(), ownCover: path.join(dir, 'own.jpg'), providerCover: source['small.png'] });
    expect(cover).toMatchObject({ path: path.join(albumDir(), 'delivery', 'cover.jpg'), width: 3000, height: 3000, source: 'release' });
    expect(cover.warning).toBeUndefined();
    expect(await sha256(cover.path)).toBe(await sha256(source['big.jpg']!));
  });
});

describe('mastering a track with sharp peaks to a loud target', () => {
  it('keeps the oversampled true peak under a strict ceiling rather than reach the target', async () => {
    // Short bursts near full scale, phased so the true peak lies between samples, over a quiet tone:
    // the gain −8 LUFS needs would put the bursts far over the ceiling.
    const spiky = path.join(dir, 'spiky.wav');
    await runFfmpeg(['-f', 'lavfi', '-i', 'aevalsrc=0.1*sin(2*PI*220*t)+if(lt(mod(t\\,0.5)\\,0.003)\\,0.99*sin(2*PI*11025*t+PI/4)\\,0):s=44100:d=10', '-ac', '2', '-c:a', 'pcm_s16le', spiky]);
    const out = path.join(dir, 'spiky-master.wav');
    const outcome = await masterInto(spiky, out, { format: 'wav', bitDepth: 16, sampleRate: 44_100, loudness: -8, truePeak: -3 }, {});
    expect(outcome.before.truePeakDb).toBeGreaterThan(-3);
    expect(outcome.after.truePeakDb).toBeLessThanOrEqual(-3);
    expect((await measureAudio(out)).truePeakDb).toBeLessThanOrEqual(-3);
    expect(outcome.after.integratedLufs).toBeLessThan(-8);
  }, 60_000);
});

describe('the release check of a delivery master', () => {
  const facts = (audio: { sampleRate: number; bitDepth?: number; channels: number; truePeakDb: number }) => ({
    number: 3,
    title: 'Off',
    file: 'delivery/03 - Off.wav',
    deliveryMaster: true,
    delivery: { format: 'wav' as const, bitDepth: 24 as const, sampleRate: 48_000 as const, loudness: -14, truePeak: -2 },
    audio: { durationSeconds: 60, codec: 'pcm_s16le', integratedLufs: -14, trailingSilenceSeconds: 0, clippedSamples: 0, samplePeakDb: -3, ...audio },
  });

  it('refuses a rate under 44.1 kHz, a depth other than asked, mono, and a peak over the delivery’s own ceiling', async () => {
    const { releaseProblems } = await import('../album/release/checks');
    const problems = releaseProblems({ release: undefined, cover: undefined, tracks: [facts({ sampleRate: 22_050, bitDepth: 16, channels: 1, truePeakDb: -1.5 })] }).filter((p) => p.track);
    expect(problems.map((p) => [p.check, p.message])).toEqual([
      ['delivery-format', 'master delivery/03 - Off.wav: 22050 Hz; distributors take 44100 Hz or more'],
      ['delivery-format', 'master delivery/03 - Off.wav: 16-bit; the manifest asks for 24 (release.delivery.bitDepth)'],
      ['delivery-format', 'master delivery/03 - Off.wav: 1 channel; distributors take stereo'],
      ['true-peak', "true peak -1.5 dBTP; the delivery's ceiling of -2 dBTP"],
    ]);
    expect(deliveryFormatProblems(facts({ sampleRate: 48_000, bitDepth: 24, channels: 2, truePeakDb: -2.1 }))).toEqual([]);
  });

  it('flags an MP3 as what distributors do not take: a warning without a delivery folder, an error when the manifest asks for one', () => {
    const mp3 = { number: 1, title: 'Lossy', file: '01 - Lossy.mp3', audio: { durationSeconds: 60, sampleRate: 44_100, channels: 2, codec: 'mp3', integratedLufs: -14, truePeakDb: -2, trailingSilenceSeconds: 0, clippedSamples: 0, samplePeakDb: -3 } };
    expect(deliveryFormatProblems(mp3)).toEqual([
      { severity: 'warning', check: 'delivery-format', track: { number: 1, title: 'Lossy' }, message: '01 - Lossy.mp3 is mp3; distributors take WAV or FLAC (release.delivery in the manifest makes them)' },
    ]);
    const asked = deliverySettings.parse({});
    expect(deliveryFormatProblems({ ...mp3, delivery: asked }).map((p) => [p.severity, p.message])).toEqual([
      ['error', 'the manifest asks for a delivery folder, but album.json lists no master for this track (01 - Lossy.mp3 is mp3): run the album again to make it'],
    ]);
  });
});
