// The simulator's AnyInt post-song routes end to end over HTTP: requests built and answers read by
// the real AnyInt adapter (so the two agree on the wire), and every file checked as media: stems add
// back up to the song, the WAV and the video last as long as the song, covers are PNGs, word times
// lie inside the song, a clip makes one persona, and restored tasks re-render the same bytes.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeMedia, runFfmpeg } from '../runtime/ffmpeg';
import { anyint } from '../providers/anyint/adapter';
import type { ClipRef, StepRequest, TaskSnapshot } from '../providers/model';
import { startSimulator, type RunningSimulator } from '../simulator/index';
import {
  download as fetchMedia,
  downloadTo,
  sha256,
  simulatorHttp,
  startReceiver,
  waitForWith,
  type Envelope,
  type Receiver,
} from './helpers/simulatorHttp';

const API_KEY = 'post-song-key';
const CLIP_SECONDS = 6;
// Stages long enough that a request lands in each even on a busy machine.
const STAGE_DELAYS = { text: 300, first: 600, complete: 900 };
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const { start: startWithDefaults, post, get } = simulatorHttp<Envelope>({ apiKey: API_KEY, clipSeconds: CLIP_SECONDS, stageDelaysMs: STAGE_DELAYS });
// Post-song work renders whole files with ffmpeg, so a wait here covers far more than one stage.
const waitFor = waitForWith(15_000, 25);

/** Submits through the adapter, as the worker does, and returns what the adapter makes of the answer. */
async function submit(simulator: RunningSimulator, request: StepRequest, callbackUrl?: string) {
  const call = anyint.buildSubmit(request, callbackUrl);
  const answer = await post(simulator, call.path, call.body);
  expect(answer.status).toBe(200);
  return { raw: answer.body, outcome: anyint.parseSubmit(request.kind, answer.body) };
}

/** Polls a task through the adapter until it is finished; also returns the first raw answer. */
async function finish(simulator: RunningSimulator, kind: StepRequest['kind'], taskId: string) {
  const call = anyint.buildQuery(kind, taskId);
  const first = (await get(simulator, call.path)).body;
  const snapshot = await waitFor(`${kind} ${taskId}`, async () => {
    const parsed: TaskSnapshot = anyint.parseQuery(kind, taskId, (await get(simulator, call.path)).body);
    return parsed.state === 'succeeded' || parsed.state === 'failed' ? parsed : undefined;
  });
  return { first, snapshot };
}

async function makeSong(simulator: RunningSimulator, instrumental: boolean, prompt: string) {
  const { outcome } = await submit(simulator, { kind: 'song', song: { prompt, instrumental } });
  const { snapshot } = await finish(simulator, 'song', outcome.taskId);
  expect(snapshot.state).toBe('succeeded');
  return { taskId: outcome.taskId, clips: snapshot.clips };
}

describe('simulator post-song routes (AnyInt)', () => {
  let simulator: RunningSimulator;
  let receiver: Receiver;
  let scratch: string;
  let song: Awaited<ReturnType<typeof makeSong>>;
  let source: ClipRef;
  let songSeconds: number;
  let songPcm: Float32Array;
  let fileCount = 0;

  /** Every download gets its own file, so nothing a later check reads was overwritten in between. */
  function download(url: string, extension: string) {
    return downloadTo(url, join(scratch, `file-${++fileCount}.${extension}`));
  }

  /** Decoded samples (interleaved stereo float), as any player would hear them. */
  async function decode(file: string): Promise<Float32Array> {
    const out = `${file}.f32`;
    await runFfmpeg(['-i', file, '-f', 'f32le', '-ac', '2', '-ar', '44100', '-y', out]);
    const bytes = await readFile(out);
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  }

  /** RMS of (sum of stems - song), relative to the song's RMS. */
  async function stemsError(urls: string[]): Promise<number> {
    const stems = await Promise.all(urls.map(async (url) => decode((await download(url, 'mp3')).file)));
    for (const stem of stems) expect(stem.length).toBe(songPcm.length);
    let difference = 0;
    let signal = 0;
    for (let i = 0; i < songPcm.length; i++) {
      let sum = 0;
      for (const stem of stems) sum += stem[i]!;
      difference += (sum - songPcm[i]!) ** 2;
      signal += songPcm[i]! ** 2;
    }
    expect(signal).toBeGreaterThan(0);
    return Math.sqrt(difference / signal);
  }

  beforeAll(async () => {
    // A receiver that answers an empty object, as this file's always has: the simulator must not read it.
    receiver = await startReceiver('{}');
    scratch = await mkdtemp(join(tmpdir(), 'simulator-post-song-'));
    simulator = await startWithDefaults({ seed: 'post-song', callbackDelivery: { retryDelayMs: 50 } });
    song = await makeSong(simulator, false, 'A bright summer pop song about travel and freedom');
    const clip = song.clips[0]!;
    source = { taskId: song.taskId, clipId: clip.id, audioUrl: clip.audioUrl, durationSeconds: clip.durationSeconds };
    songSeconds = clip.durationSeconds!;
    songPcm = await decode((await download(clip.audioUrl!, 'mp3')).file);
  }, 30_000);

  afterAll(async () => {
    await simulator?.close();
    await receiver?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('checks auth, fields and the source song of every post-song request', async () => {
    const noKey = await post(simulator, '/suno/wav-generate', { taskId: song.taskId, audioId: source.clipId, callBackUrl: receiver.url }, { 'content-type': 'application/json' });
    expect(noKey.status).toBe(401);

    const missing = await post(simulator, '/suno/vocal-removal', { taskId: song.taskId, callBackUrl: receiver.url });
    expect(missing.body).toMatchObject({ code: 400, msg: 'audioId: is required' });
    const badType = await post(simulator, '/suno/vocal-removal', { taskId: song.taskId, audioId: source.clipId, callBackUrl: receiver.url, type: 'karaoke' });
    expect(badType.body.msg).toMatch(/^type: must be one of separate_vocal, split_stem/);
    const noCallback = await post(simulator, '/suno/mp4-generate', { taskId: song.taskId, audioId: source.clipId });
    expect(noCallback.body.msg).toMatch(/^callBackUrl: /);

    const unknownTask = await post(simulator, '/suno/wav-generate', { taskId: '0'.repeat(32), audioId: source.clipId, callBackUrl: receiver.url });
    expect(unknownTask).toMatchObject({ status: 400, body: { code: 400, msg: 'task not found' } });
    const unknownAudio = await post(simulator, '/suno/wav-generate', { taskId: song.taskId, audioId: 'not-a-clip', callBackUrl: receiver.url });
    expect(unknownAudio.body).toMatchObject({ code: 400, msg: 'audio not found' });
    const lyricsNotFound = await post(simulator, '/suno/timestamped-lyrics', { taskId: song.taskId, audioId: 'not-a-clip' });
    expect(lyricsNotFound.body.msg).toBe('audio not found');

    // Work on a song that is still generating is refused, as the family does.
    const early = await submit(simulator, { kind: 'song', song: { prompt: 'a song still being made', instrumental: true } });
    const tooEarly = await post(simulator, '/suno/generate-cover', { taskId: early.outcome.taskId, callBackUrl: receiver.url });
    expect(tooEarly.body).toMatchObject({ code: 400 });
    expect(tooEarly.body.msg).toMatch(/not complete/);
    // A derived task is not a song: nothing can be made from it, and the song query does not know it.
    const wav = await submit(simulator, { kind: 'wav', source }, receiver.url);
    expect((await post(simulator, '/suno/wav-generate', { taskId: wav.outcome.taskId, audioId: source.clipId, callBackUrl: receiver.url })).body.msg).toBe('task not found');
    expect((await get(simulator, `/suno/query/task?taskId=${wav.outcome.taskId}`)).body.msg).toBe('task not found');
    expect((await get(simulator, `/suno/query/mp4?taskId=${wav.outcome.taskId}`)).body.msg).toBe('task not found');
  });

  it('separates vocals and accompaniment that add back up to the song, and calls back', async () => {
    const url = `${receiver.url}/stems`;
    const { outcome } = await submit(simulator, { kind: 'stems', source }, url);
    const { first, snapshot } = await finish(simulator, 'stems', outcome.taskId);
    expect(first.data).toMatchObject({ taskId: outcome.taskId, successFlag: 'PENDING', response: null, musicId: source.clipId });
    expect(snapshot.state).toBe('succeeded');
    const stems = snapshot.outputs!.stems!;
    expect(stems.map((stem) => stem.name)).toEqual(['vocals', 'instrumental']);
    expect(await stemsError(stems.map((stem) => stem.url))).toBeLessThan(0.02);
    for (const stem of stems) {
      const probe = await probeMedia((await download(stem.url, 'mp3')).file);
      expect(Math.abs(probe.durationSeconds - songSeconds)).toBeLessThanOrEqual(0.05);
    }

    const callback = await waitFor('stems callback', () => receiver.received.find((received) => received.path === '/stems'));
    expect(anyint.parseCallback(callback.body)).toEqual({ taskId: outcome.taskId, stage: 'complete' });
    expect(callback.body.data.vocal_removal_info).toMatchObject({ vocal_url: stems[0]!.url, instrumental_url: stems[1]!.url, origin_url: source.audioUrl });
  });

  it('splits multitrack stems (vocals, drums, bass, keyboard) that add back up to the song', async () => {
    const { outcome } = await submit(simulator, { kind: 'all-stems', source }, receiver.url);
    const { snapshot } = await finish(simulator, 'all-stems', outcome.taskId);
    const stems = snapshot.outputs!.stems!;
    expect(stems.map((stem) => stem.name)).toEqual(['vocals', 'drums', 'bass', 'keyboard']);
    expect(await stemsError(stems.map((stem) => stem.url))).toBeLessThan(0.02);
    const raw = (await get(simulator, `/suno/query/vocal-removal?taskId=${outcome.taskId}`)).body.data;
    expect(raw.response.instrumentalUrl).toBeNull();

    // The seed's /suno/split-stem route makes the same tracks, read from the same query route.
    const split = await post(simulator, '/suno/split-stem', { taskId: source.taskId, audioId: source.clipId, callBackUrl: receiver.url });
    const viaSplit = await finish(simulator, 'all-stems', split.body.data.taskId);
    expect(viaSplit.snapshot.outputs!.stems).toEqual(stems);
  });

  it('exports a 16-bit 44.1 kHz stereo WAV as long as the song', async () => {
    const url = `${receiver.url}/wav`;
    const { outcome } = await submit(simulator, { kind: 'wav', source }, url);
    const { snapshot } = await finish(simulator, 'wav', outcome.taskId);
    const wav = await download(snapshot.outputs!.wavUrl!, 'wav');
    expect(wav.contentType).toBe('audio/wav');
    const probe = await probeMedia(wav.file);
    expect(probe.streams.map((stream) => stream.codecName)).toEqual(['pcm_s16le']);
    expect(wav.bytes.readUInt16LE(22)).toBe(2);
    expect(wav.bytes.readUInt32LE(24)).toBe(44_100);
    expect(Math.abs(probe.durationSeconds - songSeconds)).toBeLessThanOrEqual(0.05);
    const callback = await waitFor('wav callback', () => receiver.received.find((received) => received.path === '/wav'));
    expect(callback.body.data).toEqual({ audioWavUrl: snapshot.outputs!.wavUrl, task_id: outcome.taskId });
  });

  it('makes a music video with one picture stream and one AAC stream, as long as the song', async () => {
    const url = `${receiver.url}/mp4`;
    const { outcome } = await submit(simulator, { kind: 'mp4', source }, url);
    const { snapshot } = await finish(simulator, 'mp4', outcome.taskId);
    const video = await download(snapshot.outputs!.videoUrl!, 'mp4');
    expect(video.contentType).toBe('video/mp4');
    const probe = await probeMedia(video.file);
    expect(probe.streams.filter((stream) => stream.codecType === 'video')).toHaveLength(1);
    expect(probe.streams.filter((stream) => stream.codecType === 'audio').map((stream) => stream.codecName)).toEqual(['aac']);
    expect(['h264', 'mpeg4']).toContain(probe.streams.find((stream) => stream.codecType === 'video')!.codecName);
    expect(Math.abs(probe.durationSeconds - songSeconds)).toBeLessThanOrEqual(0.5);
    const callback = await waitFor('mp4 callback', () => receiver.received.find((received) => received.path === '/mp4'));
    expect(callback.body.data).toEqual({ task_id: outcome.taskId, video_url: snapshot.outputs!.videoUrl });
  });

  it('generates two new cover images for the song task, reported with a numeric successFlag', async () => {
    const url = `${receiver.url}/cover`;
    const { outcome } = await submit(simulator, { kind: 'cover-art', source }, url);
    const { first, snapshot } = await finish(simulator, 'cover-art', outcome.taskId);
    expect(first.data).toMatchObject({ successFlag: 0, parentTaskId: song.taskId });
    const images = snapshot.outputs!.imageUrls!;
    expect(images).toHaveLength(2);
    const clipCover = (await download(song.clips[0]!.imageUrl!, 'png')).bytes;
    const hashes = new Set([sha256(clipCover)]);
    for (const url of images) {
      const image = await download(url, 'png');
      expect(image.contentType).toBe('image/png');
      expect(image.bytes.subarray(0, 8)).toEqual(PNG_MAGIC);
      hashes.add(sha256(image.bytes));
    }
    expect(hashes.size).toBe(3);
    const callback = await waitFor('cover callback', () => receiver.received.find((received) => received.path === '/cover'));
    expect(callback.body).toMatchObject({ code: 200, data: { taskId: outcome.taskId, images } });
  });

  it('times every sung word inside the song, and none for an instrumental', async () => {
    const { outcome } = await submit(simulator, { kind: 'timestamped-lyrics', source });
    const words = outcome.completed!.outputs!.alignedWords!;
    expect(words.length).toBeGreaterThan(10);
    let previousEnd = 0;
    for (const word of words) {
      expect(word.startSeconds).toBeLessThan(word.endSeconds);
      expect(word.startSeconds).toBeGreaterThanOrEqual(previousEnd);
      expect(word.endSeconds).toBeLessThanOrEqual(songSeconds);
      previousEnd = word.endSeconds;
    }
    const sung = words.map((word) => word.word).join('').replace(/\[[^\]]*\]/g, '').replace(/\s+/g, ' ').trim();
    const written = song.clips[0]!.lyrics!.replace(/\[[^\]]*\]/g, '').replace(/\s+/g, ' ').trim();
    expect(sung).toBe(written);

    const instrumental = await makeSong(simulator, true, 'calm piano at night');
    const none = await submit(simulator, { kind: 'timestamped-lyrics', source: { taskId: instrumental.taskId, clipId: instrumental.clips[1]!.id } });
    expect(none.raw.data.alignedWords).toEqual([]);
    expect(none.outcome.completed!.outputs!.alignedWords).toEqual([]);

    // An instrumental's vocal track is silence; its accompaniment is the whole song.
    const stems = await submit(simulator, { kind: 'stems', source: { taskId: instrumental.taskId, clipId: instrumental.clips[1]!.id } }, receiver.url);
    const separated = (await finish(simulator, 'stems', stems.outcome.taskId)).snapshot.outputs!.stems!;
    const vocals = await decode((await download(separated.find((stem) => stem.name === 'vocals')!.url, 'mp3')).file);
    expect(vocals.reduce((peak, sample) => Math.max(peak, Math.abs(sample)), 0)).toBeLessThan(1e-3);
  });

  it('makes one persona per clip and accepts its id for a new song', async () => {
    const request = { kind: 'persona', persona: { source, name: 'Road Singer', description: 'bright pop voice' } } as const;
    const first = await submit(simulator, request);
    expect(first.raw.data).toEqual({ personaId: first.outcome.taskId, name: 'Road Singer', description: 'bright pop voice' });
    expect(first.outcome.completed!.outputs!.personaId).toBe(first.outcome.taskId);

    const call = anyint.buildSubmit(request, undefined);
    const again = await post(simulator, call.path, call.body);
    expect(again.body.code).toBe(400);
    expect(again.body.msg).toMatch(/already made persona/);

    const otherClip = await submit(simulator, { kind: 'persona', persona: { ...request.persona, source: { ...source, clipId: song.clips[1]!.id } } });
    expect(otherClip.outcome.taskId).not.toBe(first.outcome.taskId);

    const withPersona = await submit(simulator, { kind: 'song', song: { prompt: 'another road song', instrumental: false, personaId: first.outcome.taskId } });
    expect(withPersona.outcome.taskId).toMatch(/^[0-9a-f]{32}$/);
    const unknown = anyint.buildSubmit({ kind: 'song', song: { prompt: 'x', instrumental: false, personaId: 'nobody' } }, receiver.url);
    expect((await post(simulator, unknown.path, unknown.body)).body).toMatchObject({ code: 400, msg: 'personaId: persona not found' });
  });

  it('records every post-song submit in the ledger under its route', () => {
    const routes = new Set(simulator.ledger.map((entry) => entry.route));
    for (const route of [
      'POST /suno/vocal-removal',
      'POST /suno/split-stem',
      'POST /suno/wav-generate',
      'POST /suno/mp4-generate',
      'POST /suno/generate-cover',
      'POST /suno/generate-persona',
      'POST /suno/timestamped-lyrics',
    ]) {
      expect(routes).toContain(route);
    }
  });
});

describe('simulator post-song tasks across a restart', () => {
  it('answers restored post-song tasks and re-renders byte-identical files', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'simulator-post-song-state-'));
    const start = () => startSimulator({ apiKey: API_KEY, seed: 'restart-post-song', stateDir, stageDelaysMs: STAGE_DELAYS, clipSeconds: 2, sendCallbacks: false });
    try {
      const first = await start();
      const kinds = ['stems', 'wav', 'mp4', 'cover-art'] as const;
      const before = new Map<string, { taskId: string; urls: string[]; hashes: string[] }>();
      let personaSource: ClipRef;
      try {
        const made = await makeSong(first, false, 'rain on the harbour');
        const source = { taskId: made.taskId, clipId: made.clips[0]!.id };
        personaSource = source;
        await submit(first, { kind: 'persona', persona: { source, name: 'Harbour', description: 'soft' } });
        for (const kind of kinds) {
          const { outcome } = await submit(first, { kind, source }, 'http://127.0.0.1:9/unused');
          const { snapshot } = await finish(first, kind, outcome.taskId);
          const urls = urlsOf(snapshot);
          before.set(kind, { taskId: outcome.taskId, urls, hashes: await Promise.all(urls.map(hashOf)) });
        }
      } finally {
        await first.close();
      }
      // Restored tasks must re-render their files, not find them.
      await rm(join(stateDir, 'media'), { recursive: true, force: true });

      const second = await start();
      try {
        for (const kind of kinds) {
          const saved = before.get(kind)!;
          const { snapshot } = await finish(second, kind, saved.taskId);
          expect(snapshot.state).toBe('succeeded');
          const urls = urlsOf(snapshot);
          expect(urls.map(pathOf)).toEqual(saved.urls.map(pathOf));
          expect(await Promise.all(urls.map(hashOf))).toEqual(saved.hashes);
        }
        // The persona made before the restart still counts: the clip cannot make another.
        const again = anyint.buildSubmit({ kind: 'persona', persona: { source: personaSource!, name: 'Harbour', description: 'soft' } }, undefined);
        expect((await post(second, again.path, again.body)).body.msg).toMatch(/already made persona/);
      } finally {
        await second.close();
      }
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  }, 30_000);
});

function urlsOf(snapshot: TaskSnapshot): string[] {
  const outputs = snapshot.outputs ?? {};
  return [...(outputs.stems ?? []).map((stem) => stem.url), outputs.wavUrl, outputs.videoUrl, ...(outputs.imageUrls ?? [])].filter(
    (url): url is string => url !== undefined,
  );
}

/** Media URLs embed the listening port, which changes across a restart; their paths do not. */
function pathOf(url: string): string {
  return new URL(url).pathname;
}

async function hashOf(url: string): Promise<string> {
  return sha256((await fetchMedia(url)).bytes);
}
