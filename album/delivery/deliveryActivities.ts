// Activities that make an album's delivery folder (`<album>/delivery/`): what a distributor takes.
// Per track, a master (WAV or FLAC at the chosen depth and rate, stereo, at the loudness target under
// the true-peak ceiling, tagged with the ISRC) and its stems as WAV named for sorting and checked
// against the master's length; for the album, the cover; and album.json updated with every file, its
// sha256 and the figures measured after mastering. Every file is made in a scratch file, checked, and
// committed through the artifact store, so a retry or a rerun rewrites it whole or not at all.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import NodeID3 from 'node-id3';
import { z } from 'zod';
import { runFfmpeg, runFfprobe } from '../../runtime/ffmpeg';
import type { ArtifactStore } from '../../artifacts/store/artifactStore';
import { imageMime, loadCover } from '../../artifacts/id3Tags';
import { keepAlive } from '../../artifacts/keepAlive';
import type { AlbumJson, AlbumJsonFile, WrittenAlbumFile } from '../../contracts/albumFiles';
import type {
  DeliverCoverInput,
  DeliveredCover,
  DeliveredMaster,
  DeliveredStem,
  DeliverTrackInput,
  DeliverTrackResult,
  DeliveryFormat,
  RecordDeliveryInput,
} from '../../contracts/albumDelivery';
import { badInput, produce, withInput } from '../assembly/albumAssembly';
import { playlistLocation } from '../assembly/playlist';
import { RELEASE_LIMITS } from '../release/checks';
import { compactIsrc } from '../release/identifiers';
import { measureImage } from '../release/measure';
import { masterInto, TruePeakCeilingError } from './master';
import { SilentSourceError } from './loudnessScan';
import { riffInfo, RIFF_INFO_IDS, vorbisComments, wavId3 } from './deliveryTags';
import { appendId3Chunk, readWavId3 } from './wavId3Chunk';
import { stemFileName, uniqueStemNames } from './stemNames';

export const DELIVERY_FOLDER = 'delivery';
/** A stem this much longer or shorter than its master does not line up with it. */
export const STEM_LENGTH_TOLERANCE_SECONDS = 0.1;
/** A stem whose audio starts later than this is offset (an MP3's encoder delay is about 0.025 s). */
export const STEM_START_TOLERANCE_SECONDS = 0.05;

const CONTENT_TYPES = { wav: 'audio/wav', flac: 'audio/flac' } as const;

/** What the analysis helper writes per track in album.json; read tolerantly, ignored when malformed. */
const trackAnalysis = z.object({ bpm: z.number().positive().max(400), key: z.string().trim().min(1).max(40) });
const albumJsonAnalysis = z.object({ tracks: z.array(z.object({ number: z.number(), analysis: z.unknown().optional() }).passthrough()) }).passthrough();

interface AudioFacts {
  sampleRate: number;
  channels: number;
  bitDepth: number;
  durationSeconds: number;
  startSeconds: number;
  tags: Record<string, string>;
}

async function audioFacts(file: string): Promise<AudioFacts> {
  const out = JSON.parse(await runFfprobe(['-v', 'error', '-select_streams', 'a:0', '-show_streams', '-show_format', '-of', 'json', file])) as {
    streams?: Record<string, unknown>[];
    format?: { duration?: string; start_time?: string; tags?: Record<string, string> };
  };
  const s = out.streams?.[0];
  if (!s) throw new Error(`${file} has no audio stream`);
  // PCM reports its depth as bits_per_sample, FLAC as bits_per_raw_sample.
  const bitDepth = Number(s.bits_per_raw_sample) || Number(s.bits_per_sample) || 0;
  const start = Number(s.start_time ?? out.format?.start_time ?? 0);
  return {
    sampleRate: Number(s.sample_rate) || 0,
    channels: Number(s.channels) || 0,
    bitDepth,
    durationSeconds: Number(out.format?.duration ?? s.duration ?? 0),
    startSeconds: Number.isFinite(start) ? start : 0,
    tags: { ...(out.format?.tags ?? {}), ...((s.tags as Record<string, string> | undefined) ?? {}) },
  };
}

function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** The track's BPM and key from album.json, when the analysis wrote them; none otherwise. */
async function readAnalysis(store: ArtifactStore, albumDir: string, number: number): Promise<{ bpm: number; key: string } | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse((await store.readBytes(path.join(albumDir, 'album.json'))).toString('utf8'));
  } catch {
    return undefined;
  }
  const album = albumJsonAnalysis.safeParse(parsed);
  const analysis = album.success ? trackAnalysis.safeParse(album.data.tracks.find((t) => t.number === number)?.analysis) : undefined;
  return analysis?.success ? analysis.data : undefined;
}

/** A written master's format, figures and tags, checked against what was asked before it takes its name. */
async function checkMaster(temp: string, input: DeliverTrackInput): Promise<AudioFacts> {
  const { settings } = input;
  const facts = await audioFacts(temp);
  const wrong = [
    facts.sampleRate !== settings.sampleRate && `sample rate ${facts.sampleRate} Hz`,
    facts.bitDepth !== settings.bitDepth && `${facts.bitDepth}-bit`,
    facts.channels !== 2 && `${facts.channels} channels`,
  ].filter(Boolean);
  if (wrong.length > 0) throw new Error(`master of track ${input.number} came out ${wrong.join(', ')} instead of ${settings.sampleRate} Hz, ${settings.bitDepth}-bit stereo`);
  const isrc = input.isrc ? compactIsrc(input.isrc) : undefined;
  if (isrc) {
    const written = settings.format === 'flac' ? facts.tags.ISRC : NodeID3.read(readWavId3(await readFile(temp)) ?? Buffer.alloc(0), { noRaw: true }).ISRC;
    if (written !== isrc) throw new Error(`master of track ${input.number}: the ISRC does not read back (${written ?? 'none'} instead of ${isrc})`);
  }
  return facts;
}

async function deliverMaster(store: ArtifactStore, input: DeliverTrackInput): Promise<DeliveredMaster> {
  const { settings } = input;
  const target = path.join(input.albumDir, DELIVERY_FOLDER, `${input.fileStem}.${settings.format}`);
  const flac = settings.format === 'flac';
  const info = flac ? vorbisComments(input) : riffInfo(input);
  const id3 = flac ? undefined : wavId3(input);
  try {
    const { result, sha256, bytes } = await withInput(store, input.sourcePath, 'song', (source) =>
      produce(
        store,
        target,
        async (temp) => {
          const outcome = await masterInto(source, temp, settings, info);
          if (id3) await writeFile(temp, appendId3Chunk(await readFile(temp), NodeID3.create(id3.tags)));
          const facts = await checkMaster(temp, input);
          return { outcome, facts };
        },
        CONTENT_TYPES[settings.format],
      ),
    );
    const { outcome, facts } = result;
    return {
      path: target,
      sha256,
      bytes,
      durationSeconds: round(facts.durationSeconds),
      format: settings.format,
      sampleRate: facts.sampleRate,
      bitDepth: facts.bitDepth,
      channels: facts.channels,
      integratedLufs: outcome.after.integratedLufs,
      truePeakDb: outcome.after.truePeakDb,
      before: { integratedLufs: outcome.before.integratedLufs, truePeakDb: outcome.before.truePeakDb },
      targetLufs: settings.loudness,
      ceilingDb: settings.truePeak,
      passes: outcome.passes,
      tags: flac ? Object.keys(info) : [...Object.keys(info).map((k) => RIFF_INFO_IDS[k] ?? k), ...id3!.frames.map((f) => `ID3 ${f}`)],
    };
  } catch (err) {
    if (err instanceof SilentSourceError) throw badInput(`cannot master track ${input.number}: ${err.message}`);
    if (err instanceof TruePeakCeilingError) throw badInput(`cannot master track ${input.number} under the ceiling: ${err.message}`);
    throw err;
  }
}

/** A stem as WAV at the delivery's rate and depth, at its own level (stems are not mastered), checked against the master. */
async function deliverStem(store: ArtifactStore, input: DeliverTrackInput, stem: { path: string; name: string }, master: DeliveredMaster, analysis: DeliverTrackResult['analysis']): Promise<DeliveredStem> {
  const settings: DeliveryFormat = { ...input.settings, format: 'wav' };
  const target = path.join(input.albumDir, DELIVERY_FOLDER, 'stems', stemFileName({ artist: input.artist, title: input.title, stem: stem.name, analysis }));
  const { result, sha256, bytes } = await withInput(store, stem.path, `stem ${stem.name}`, async (source) => {
    const sourceFacts = await audioFacts(source).catch((err: Error) => {
      throw badInput(`stem ${stem.path} does not decode: ${err.message}`);
    });
    return produce(
      store,
      target,
      async (temp) => {
        const sampleFormat = settings.bitDepth === 16 ? 's16' : 's32';
        await runFfmpeg([
          '-nostdin', '-i', source, '-map', '0:a:0', '-map_metadata', '-1',
          '-af', `aformat=channel_layouts=stereo,aresample=osr=${settings.sampleRate}:osf=${sampleFormat}:resampler=soxr${sampleFormat === 's16' ? ':dither_method=triangular_hp' : ''}`,
          '-ac', '2', '-c:a', settings.bitDepth === 16 ? 'pcm_s16le' : 'pcm_s24le', '-metadata', `title=${input.title} (${stem.name})`, '-metadata', `artist=${input.artist}`,
          '-fflags', '+bitexact', '-flags:a', '+bitexact', '-f', 'wav', '-y', temp,
        ]);
        return { delivered: await audioFacts(temp), startSeconds: sourceFacts.startSeconds };
      },
      'audio/wav',
    );
  });
  const durationSeconds = round(result.delivered.durationSeconds);
  const startSeconds = round(Math.max(0, result.startSeconds));
  const problems: string[] = [];
  if (startSeconds > STEM_START_TOLERANCE_SECONDS) problems.push(`starts at ${startSeconds.toFixed(3)} s, not at zero`);
  const off = durationSeconds - master.durationSeconds;
  if (Math.abs(off) > STEM_LENGTH_TOLERANCE_SECONDS) {
    problems.push(`lasts ${durationSeconds.toFixed(3)} s, the master ${master.durationSeconds.toFixed(3)} s (${off > 0 ? '+' : ''}${off.toFixed(3)} s): it does not line up with the master from zero to the end`);
  }
  return { path: target, sha256, bytes, stem: stem.name, durationSeconds, startSeconds, ...(problems.length > 0 ? { problem: problems.join('; ') } : {}) };
}

function sizeWarning(width: number, height: number, source: 'release' | 'provider'): string | undefined {
  const smaller = Math.min(width, height);
  if (smaller >= RELEASE_LIMITS.coverPx) return undefined;
  const whose = source === 'provider' ? "the provider's image (give your own art as release.cover)" : 'release.cover';
  const verdict = smaller < RELEASE_LIMITS.coverFloorPx ? `distributors refuse art under ${RELEASE_LIMITS.coverFloorPx}×${RELEASE_LIMITS.coverFloorPx}` : `stores ask for ${RELEASE_LIMITS.coverPx}×${RELEASE_LIMITS.coverPx}`;
  return `cover is ${width}×${height} px, ${whose}: ${verdict}`;
}

export function createDeliveryActivities(store: ArtifactStore) {
  const activities = {
    /** The track's master and stems in the delivery folder. */
    async deliverTrack(input: DeliverTrackInput): Promise<DeliverTrackResult> {
      const master = await deliverMaster(store, input);
      const analysis = await readAnalysis(store, input.albumDir, input.number);
      const names = uniqueStemNames(input.stems);
      const stems: DeliveredStem[] = [];
      // One at a time: each is a decode and a resample, and the machine has other tracks to master.
      for (const [i, stem] of input.stems.entries()) stems.push(await deliverStem(store, input, { path: stem.path, name: names[i]! }, master, analysis));
      return { number: input.number, master, stems, ...(analysis ? { analysis } : {}) };
    },

    /**
     * The album's cover in the delivery folder: the user's own art when the release names one, else
     * the provider's image, with a warning that names its size when stores would want it larger.
     */
    async deliverCover(input: DeliverCoverInput): Promise<DeliveredCover> {
      const source = input.ownCover ? 'release' : 'provider';
      const from = input.ownCover ?? input.providerCover;
      if (!from) throw badInput('no cover to deliver: the album has no image and the manifest names none (release.cover)');
      // The user's own file is read where the manifest put it (the worker must see the same path);
      // the provider's comes from the store. WebP, which distributors refuse, becomes PNG.
      const image =
        source === 'release'
          ? await loadCover(from).catch((err: Error) => {
              throw badInput((err as NodeJS.ErrnoException).code === 'ENOENT' ? `release.cover ${from} does not exist on the worker` : `release.cover: ${err.message}`);
            })
          : await withInput(store, from, 'cover', (file) => loadCover(file)).catch((err: Error) => {
              if (err.name === 'UnsupportedImageError') throw badInput(`cover ${err.message}`);
              throw err;
            });
      const mime = imageMime(image.data.subarray(0, 12));
      const target = path.join(input.albumDir, DELIVERY_FOLDER, `cover.${mime === 'image/jpeg' ? 'jpg' : 'png'}`);
      const { result: size, sha256, bytes } = await produce(
        store,
        target,
        async (temp) => {
          await writeFile(temp, image.data);
          return measureImage(temp);
        },
        image.mime,
      );
      const warning = sizeWarning(size.width, size.height, source);
      return { path: target, sha256, bytes, width: size.width, height: size.height, source, ...(warning ? { warning } : {}) };
    },

    /**
     * album.json with the delivery: every delivery file (checked against its sha256 in the store) and
     * each track's figures after mastering. Earlier delivery entries are replaced; the rest of the
     * file (whatever else wrote it) is kept as it is.
     */
    async recordDelivery(input: RecordDeliveryInput): Promise<WrittenAlbumFile> {
      const file = path.join(input.albumDir, 'album.json');
      let album: AlbumJson;
      try {
        album = JSON.parse((await store.readBytes(file)).toString('utf8')) as AlbumJson;
      } catch (err) {
        throw badInput(`cannot record the delivery: ${file} is not readable (${(err as Error).message})`);
      }
      const entry = async (p: string, kind: AlbumJsonFile['kind'], sha256: string, durationSeconds?: number): Promise<AlbumJsonFile> => {
        const stored = await store.digestOf(p);
        if (!stored) throw badInput(`delivery file ${p} is missing`);
        if (stored.sha256 !== sha256) throw badInput(`delivery file ${p} changed since it was made (sha256 ${stored.sha256.slice(0, 12)}…, made ${sha256.slice(0, 12)}…)`);
        return { file: playlistLocation(input.albumDir, p), kind, sha256, bytes: stored.bytes, ...(durationSeconds !== undefined ? { durationSeconds } : {}) };
      };
      const isDelivery = (f: AlbumJsonFile) => f.kind === 'delivery-master' || f.kind === 'delivery-stem' || f.kind === 'delivery-cover';
      for (const delivered of input.tracks) {
        const track = album.tracks.find((t) => t.number === delivered.number);
        if (!track) throw badInput(`album.json has no track ${delivered.number}`);
        const { master } = delivered;
        const files = [await entry(master.path, 'delivery-master', master.sha256, master.durationSeconds)];
        for (const s of delivered.stems) files.push(await entry(s.path, 'delivery-stem', s.sha256, s.durationSeconds));
        track.files = [...track.files.filter((f) => !isDelivery(f)), ...files];
        track.delivery = {
          master: playlistLocation(input.albumDir, master.path),
          format: master.format,
          sampleRate: master.sampleRate,
          bitDepth: master.bitDepth,
          channels: master.channels,
          integratedLufs: master.integratedLufs,
          truePeakDb: master.truePeakDb,
          targetLufs: master.targetLufs,
          ceilingDb: master.ceilingDb,
          before: master.before,
          tags: master.tags,
          stems: delivered.stems.map((s) => ({ file: playlistLocation(input.albumDir, s.path), stem: s.stem, durationSeconds: s.durationSeconds, startSeconds: s.startSeconds, ...(s.problem ? { problem: s.problem } : {}) })),
        };
      }
      album.files = album.files.filter((f) => !isDelivery(f));
      if (input.cover) album.files.push(await entry(input.cover.path, 'delivery-cover', input.cover.sha256));
      album.delivery = {
        folder: DELIVERY_FOLDER,
        settings: input.settings,
        ...(input.cover
          ? { cover: { file: playlistLocation(input.albumDir, input.cover.path), width: input.cover.width, height: input.cover.height, source: input.cover.source, ...(input.cover.warning ? { warning: input.cover.warning } : {}) } }
          : {}),
      };
      return { path: file, ...(await store.writeBytes(file, Buffer.from(`${JSON.stringify(album, null, 2)}\n`, 'utf8'), 'application/json')) };
    },
  };
  return {
    deliverTrack: keepAlive(activities.deliverTrack),
    deliverCover: keepAlive(activities.deliverCover),
    recordDelivery: keepAlive(activities.recordDelivery),
  };
}

export type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;
