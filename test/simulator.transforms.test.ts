// The simulator's transforms, checked on the decoded audio (CQTAI dialect, which offers all of
// them): an extension starts at continueAt and makes the song longer; a merge lasts the sum of its
// parts; replace-section keeps the length and changes only the section; add-vocals and
// add-instrumental keep the length; a mashup mixes its two sources; remaster keeps the length; a
// sound effect lasts the seconds asked for; covers last as long as their source; an upload is the
// user's audio itself, fetched over HTTP; a crop is the section alone; an inspiration is a new song
// that copies none of its references; a custom model answers its id. Every comparison is on PCM decoded by ffmpeg, with
// margins of a few MP3 frames around the edges where the codec smears one side into the other.

import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFfmpeg } from '../runtime/ffmpeg';
import type { RunningSimulator } from '../simulator/index';
import {
  decodePcm,
  downloadMedia,
  pcmSeconds,
  pcmWindow,
  relativeError,
  simulatorHttp,
  startReceiver,
  waitForWith,
  type Receiver,
} from './helpers/simulatorHttp';

const CLIP_SECONDS = 3;
const STAGE_DELAYS = { text: 100, first: 200, complete: 300 };
const SUBMIT = '/api/cqt/generator/suno';
/** Around a cut, MP3 frames (1152 samples, plus the decoder's overlap) mix both sides. */
const EDGE = 0.06;
/** Same audio through two MP3 encodes differs by well under this (relative RMS). */
const SAME = 0.08;
/** Different audio differs by far more than this. */
const DIFFERENT = 0.5;

/** Normalized correlation of two signals over their common length: 1 = the same shape, 0 = unrelated. */
function correlation(x: Float32Array, y: Float32Array): number {
  const length = Math.min(x.length, y.length);
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < length; i++) {
    xy += x[i]! * y[i]!;
    xx += x[i]! ** 2;
    yy += y[i]! ** 2;
  }
  return xy / Math.sqrt(xx * yy);
}

const http = simulatorHttp({ apiKey: 'transforms-key', clipSeconds: CLIP_SECONDS, stageDelaysMs: STAGE_DELAYS });
const waitFor = waitForWith(20_000, 25);

describe('simulator transforms on decoded audio (cqt)', () => {
  let simulator: RunningSimulator;
  let scratch: string;
  let files: Server;
  let filesUrl: string;
  let fileCount = 0;
  /** Two finished songs: their first clips' ids and decoded audio. */
  let a: { id: string; url: string; tags: string; pcm: Float32Array };
  let b: { id: string; url: string; tags: string; pcm: Float32Array };

  const post = (body: unknown) => http.post(simulator, SUBMIT, body);

  async function finished(id: string): Promise<any> {
    return waitFor(`task ${id}`, async () => {
      const { body } = await http.get(simulator, `/api/cqt/info/suno?id=${encodeURIComponent(id)}`);
      const status = body.data?.status;
      return status === 'succeeded' || status === 'failed' ? body.data : undefined;
    });
  }

  /** Submits, waits, and returns the finished task's data (its result holds the clips). */
  async function run(body: Record<string, unknown>): Promise<any> {
    const submit = await post(body);
    expect(submit.status, JSON.stringify(submit.body)).toBe(200);
    const done = await finished(submit.body.data);
    expect(done.status, done.errorMsg).toBe('succeeded');
    return done;
  }

  /** A clip's audio, downloaded, probed and decoded. */
  async function audioOf(clip: { audio_url: string; metadata: { duration: number } }) {
    const media = await downloadMedia(clip.audio_url, join(scratch, `clip-${++fileCount}.mp3`));
    expect(media.contentType).toBe('audio/mpeg');
    const pcm = await decodePcm(media.file);
    // What the clip says, what ffprobe says and what decodes all agree.
    expect(Math.abs(media.probe.durationSeconds - clip.metadata.duration)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(pcmSeconds(pcm) - clip.metadata.duration)).toBeLessThanOrEqual(0.03);
    return pcm;
  }

  async function song(prompt: string) {
    const done = await run({ task: 'create', model: 'v55', prompt });
    const clip = done.result[0];
    return { id: clip.id as string, url: clip.audio_url as string, tags: clip.metadata.tags as string, pcm: await audioOf(clip) };
  }

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'simulator-transforms-'));
    // The user's files, served the way the real system serves them: over HTTP on loopback.
    await runFfmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=4', '-ac', '2', '-ar', '44100', '-c:a', 'pcm_s16le', '-y', join(scratch, 'tone.wav')]);
    files = createServer((request, response) => {
      if (request.url === '/tone.wav') {
        readFile(join(scratch, 'tone.wav')).then((bytes) => response.writeHead(200, { 'content-type': 'audio/wav' }).end(bytes));
      } else if (request.url === '/notes.txt') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('these are not audio samples '.repeat(200));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    simulator = await http.start({ seed: 'transforms' });
    a = await song('a calm song about rivers');
    b = await song('a loud song about engines');
  }, 60_000);

  afterAll(async () => {
    await simulator?.close();
    await new Promise<void>((resolve) => (files ? files.close(() => resolve()) : resolve()));
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('extends a clip from continueAt: a part of new material, and merged after the source up to there, a longer song', async () => {
    const done = await run({ task: 'extend', model: 'v55', clipId: a.id, continueAt: 2 });
    expect(done.result).toHaveLength(2);
    const part = await audioOf(done.result[0]);
    // "part": only the new material, a fresh clip's length, not the source.
    expect(pcmSeconds(part)).toBeCloseTo(CLIP_SECONDS, 1);
    expect(relativeError(pcmWindow(part, EDGE, 2 - EDGE), pcmWindow(a.pcm, EDGE, 2 - EDGE))).toBeGreaterThan(DIFFERENT);
    // The extension is a clip like any other: it can be extended again, and merged.
    const merged = await run({ task: 'merge', clipIds: [a.id, done.result[0].id] });
    expect(merged.result).toHaveLength(1);
    const whole = await audioOf(merged.result[0]);
    expect(pcmSeconds(whole)).toBeCloseTo(2 * CLIP_SECONDS, 1);
  });

  it('upload_extend answers the whole song: the source up to continueAt, then new material', async () => {
    const done = await run({ task: 'upload_extend', model: 'v55', audioUrl: a.url, continueAt: 2 });
    const whole = await audioOf(done.result[0]);
    expect(pcmSeconds(whole)).toBeCloseTo(2 + CLIP_SECONDS, 1);
    expect(pcmSeconds(whole)).toBeGreaterThan(pcmSeconds(a.pcm));
    expect(relativeError(pcmWindow(whole, 0, 2 - EDGE), pcmWindow(a.pcm, 0, 2 - EDGE))).toBeLessThan(SAME);
    // After continueAt it is no longer the source.
    expect(relativeError(pcmWindow(whole, 2 + EDGE, 3 - EDGE), pcmWindow(a.pcm, 2 + EDGE, 3 - EDGE))).toBeGreaterThan(DIFFERENT);
  });

  it('merge lasts the sum of its parts, each in order', async () => {
    const done = await run({ task: 'merge', clipIds: [a.id, b.id] });
    const joined = await audioOf(done.result[0]);
    expect(pcmSeconds(joined)).toBeCloseTo(pcmSeconds(a.pcm) + pcmSeconds(b.pcm), 1);
    expect(relativeError(pcmWindow(joined, 0, 3 - EDGE), pcmWindow(a.pcm, 0, 3 - EDGE))).toBeLessThan(SAME);
    expect(relativeError(pcmWindow(joined, 3 + EDGE, 6), pcmWindow(b.pcm, EDGE, 3))).toBeLessThan(SAME);
  });

  it('replace_section keeps the length and changes only the section', async () => {
    const done = await run({ task: 'replace_section', clipId: a.id, infillStartS: 1, infillEndS: 2, prompt: '[Verse]\nnew words here' });
    expect(done.result).toHaveLength(1);
    const replaced = await audioOf(done.result[0]);
    expect(pcmSeconds(replaced)).toBeCloseTo(pcmSeconds(a.pcm), 2);
    expect(relativeError(pcmWindow(replaced, 0, 1 - EDGE), pcmWindow(a.pcm, 0, 1 - EDGE))).toBeLessThan(SAME);
    expect(relativeError(pcmWindow(replaced, 2 + EDGE, 3), pcmWindow(a.pcm, 2 + EDGE, 3))).toBeLessThan(SAME);
    expect(relativeError(pcmWindow(replaced, 1 + EDGE, 2 - EDGE), pcmWindow(a.pcm, 1 + EDGE, 2 - EDGE))).toBeGreaterThan(DIFFERENT);
  });

  it('add_vocals and add_instrumental keep the length and keep the source in the mix', async () => {
    for (const body of [
      { task: 'add_vocals', clipId: a.id, prompt: '[Verse]\nsing along' },
      { task: 'add_instrumental', clipId: a.id, tags: 'jazz' },
    ]) {
      const done = await run(body);
      expect(done.result).toHaveLength(2);
      const layered = await audioOf(done.result[0]);
      expect(pcmSeconds(layered)).toBeCloseTo(pcmSeconds(a.pcm), 2);
      // New material was added: it is not the source any more...
      expect(relativeError(layered, a.pcm)).toBeGreaterThan(0.2);
      // ...but the source is still in it, clearly: the two are strongly correlated.
      expect(correlation(layered, a.pcm)).toBeGreaterThan(0.6);
    }
  });

  it('stems of a transformed clip still add up to it', async () => {
    const layered = await run({ task: 'add_vocals', clipId: b.id, prompt: '[Verse]\nover the engines' });
    const clip = layered.result[0];
    const pcm = await audioOf(clip);
    const stems = await run({ task: 'gen_stem_two', clipId: clip.id });
    expect(stems.result.map((stem: any) => stem.title)).toEqual([`${clip.title} (Vocals)`, `${clip.title} (Instrumental)`]);
    const [vocals, instrumental] = await Promise.all(stems.result.map((stem: any) => audioOf(stem)));
    const sum = vocals!.map((sample: number, i: number) => sample + instrumental![i]!);
    expect(relativeError(sum, pcm)).toBeLessThan(SAME);
    // The added voice is in the vocals: the source's own lead is there too, but not its accompaniment.
    expect(relativeError(vocals!, pcm)).toBeGreaterThan(0.2);
  });

  it('mashup mixes its two sources', async () => {
    const done = await run({ task: 'mashup', model: 'v55', clipIds: [a.id, b.id], prompt: 'rivers and engines' });
    expect(done.result).toHaveLength(2);
    const mixed = await audioOf(done.result[0]);
    expect(pcmSeconds(mixed)).toBeCloseTo(Math.max(pcmSeconds(a.pcm), pcmSeconds(b.pcm)), 2);
    // Energy from both: the mix is neither source alone, and the two sources weighted explain it.
    const expected = a.pcm.map((sample, i) => 0.55 * sample + 0.45 * b.pcm[i]!);
    expect(relativeError(mixed, expected)).toBeLessThan(SAME);
    expect(relativeError(mixed, a.pcm)).toBeGreaterThan(0.3);
    expect(relativeError(mixed, b.pcm)).toBeGreaterThan(0.3);
    // Both tunes are clearly in it, while the two tunes themselves are unrelated.
    expect(correlation(mixed, a.pcm)).toBeGreaterThan(0.5);
    expect(correlation(mixed, b.pcm)).toBeGreaterThan(0.5);
    expect(Math.abs(correlation(a.pcm, b.pcm))).toBeLessThan(0.2);
  });

  it('remaster keeps the length; cover lasts as long as its source', async () => {
    const remastered = await run({ task: 'remaster', clipId: a.id });
    expect(remastered.result).toHaveLength(1);
    expect(pcmSeconds(await audioOf(remastered.result[0]))).toBeCloseTo(pcmSeconds(a.pcm), 2);
    const covered = await run({ task: 'cover', model: 'v50', clipId: a.id, tags: 'jazz' });
    expect(pcmSeconds(await audioOf(covered.result[1]))).toBeCloseTo(pcmSeconds(a.pcm), 2);
  });

  it('reuse_style and sample make new songs; reuse_style needs the new lyrics', async () => {
    const reused = await run({ task: 'reuse_style', clipId: a.id, prompt: '[Verse]\nnew words, old style' });
    expect(reused.result).toHaveLength(2);
    expect(reused.result[0].metadata.tags).toBe(a.tags);
    const sampled = await run({ task: 'sample', model: 'v55', clipId: a.id, sampleStartS: 0, sampleEndS: 1, prompt: 'built on a snippet' });
    expect(sampled.result).toHaveLength(2);
    const pcm = await audioOf(sampled.result[0]);
    expect(pcmSeconds(pcm)).toBeCloseTo(CLIP_SECONDS, 1);
    const refused = await post({ task: 'reuse_style', clipId: a.id });
    expect(refused.status).toBe(400);
    expect(refused.body.msg).toMatch(/^prompt: is required/);
    const late = await post({ task: 'sample', model: 'v55', clipId: a.id, sampleStartS: 1, sampleEndS: 9 });
    expect(late.body.msg).toMatch(/^sampleEndS: beyond the clip/);
  });

  it('crop keeps only the section, exactly as long as it; an end before the start or past the clip is refused', async () => {
    const done = await run({ task: 'crop', clipId: a.id, cropStartS: 1, cropEndS: 2.5, title: 'the middle' });
    expect(done.result).toHaveLength(1);
    expect(done.result[0].title).toBe('the middle');
    const cropped = await audioOf(done.result[0]);
    expect(pcmSeconds(cropped)).toBeCloseTo(1.5, 2);
    // The section itself, not new material: the same audio as the source between 1 and 2.5 s.
    expect(relativeError(pcmWindow(cropped, EDGE, 1.5 - EDGE), pcmWindow(a.pcm, 1 + EDGE, 2.5 - EDGE))).toBeLessThan(SAME);
    const backwards = await post({ task: 'crop', clipId: a.id, cropStartS: 2, cropEndS: 1 });
    expect(backwards.status).toBe(400);
    expect(backwards.body.msg).toMatch(/^cropEndS: must be after cropStartS/);
    const late = await post({ task: 'crop', clipId: a.id, cropStartS: 1, cropEndS: 9 });
    expect(late.body.msg).toMatch(/^cropEndS: beyond the clip/);
  });

  it('inspiration makes two new songs from a playlist id, copying neither source; it needs the playlist and a model', async () => {
    const done = await run({ task: 'inspiration', model: 'v55', playlistId: '119573ff-8e48-4fe6-9029-39c76c9a5597', prompt: 'more brass' });
    expect(done.result).toHaveLength(2);
    const inspired = await audioOf(done.result[0]);
    expect(pcmSeconds(inspired)).toBeCloseTo(CLIP_SECONDS, 1);
    for (const source of [a, b]) expect(relativeError(pcmWindow(inspired, 0, 2), pcmWindow(source.pcm, 0, 2))).toBeGreaterThan(DIFFERENT);
    const unnamed = await post({ task: 'inspiration', model: 'v55' });
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.msg).toMatch(/^playlistId: is required/);
  });

  it('custom_model trains on six finished clips and answers a model id, not audio; fewer clips are refused unpaid', async () => {
    const before = simulator.ledger.length;
    const few = await post({ task: 'custom_model', clipIds: [a.id, b.id], name: 'Rivers and Engines' });
    expect(few.status).toBe(400);
    expect(few.body.msg).toMatch(/^clipIds: must name at least 6 clips/);
    const unknown = await post({ task: 'custom_model', clipIds: [a.id, b.id, a.id, b.id, a.id, 'nope'], name: 'x' });
    expect(unknown.body.msg).toMatch(/^clipIds: no clip nope/);
    expect(simulator.ledger).toHaveLength(before);
    const done = await run({ task: 'custom_model', clipIds: [a.id, b.id, a.id, b.id, a.id, b.id], name: 'Rivers and Engines' });
    expect(done.result).toEqual({ modelId: expect.stringMatching(/^chirp-custom:/), name: 'Rivers and Engines' });
    expect(simulator.ledger).toHaveLength(before + 1);
  });

  it('a sound effect lasts exactly the seconds asked for; out-of-range lengths are refused by name', async () => {
    const done = await run({ task: 'sound_effect', prompt: 'thunder rolling', durationS: 2.5 });
    expect(done.result).toHaveLength(1);
    expect(pcmSeconds(await audioOf(done.result[0]))).toBeCloseTo(2.5, 2);
    const tooLong = await post({ task: 'sound_effect', prompt: 'thunder', durationS: 31 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.msg).toMatch(/^durationS: must be between 1 and 30/);
  });

  it('upload makes the user file a clip, upload_cover lasts as long as it, and a file that is not audio fails the task', async () => {
    const tone = await decodePcm(join(scratch, 'tone.wav'));
    const uploaded = await run({ task: 'upload', audioUrl: `${filesUrl}/tone.wav` });
    expect(uploaded.result).toHaveLength(1);
    const clip = await audioOf(uploaded.result[0]);
    expect(pcmSeconds(clip)).toBeCloseTo(4, 2);
    expect(relativeError(clip, tone)).toBeLessThan(SAME);
    const covered = await run({ task: 'upload_cover', model: 'v55', audioUrl: `${filesUrl}/tone.wav`, prompt: 'a cover' });
    expect(pcmSeconds(await audioOf(covered.result[0]))).toBeCloseTo(4, 2);

    const refused = await post({ task: 'upload', audioUrl: 'file:///etc/passwd' });
    expect(refused.status).toBe(400);
    expect(refused.body.msg).toMatch(/^audioUrl: must be an http\(s\) URL/);

    const notAudio = await post({ task: 'upload', audioUrl: `${filesUrl}/notes.txt` });
    expect(notAudio.status).toBe(200);
    const failed = await finished(notAudio.body.data);
    expect(failed.status).toBe('failed');
    expect(failed.errorMsg).toMatch(/does not decode as audio/);
    const missing = await finished((await post({ task: 'upload', audioUrl: `${filesUrl}/gone.wav` })).body.data);
    expect(missing.errorMsg).toMatch(/HTTP 404/);
  });
});

describe('simulator transforms (acedata)', () => {
  let simulator: RunningSimulator;
  let receiver: Receiver;
  let scratch: string;
  let fileCount = 0;
  let song: { id: string; url: string; pcm: Float32Array };

  const audios = (body: Record<string, unknown>) => http.post(simulator, '/suno/audios', { async: true, ...body });

  /** Waits for the task's response, which must be a success, and returns its clips. */
  async function clipsOf(taskId: string): Promise<any[]> {
    const response = await waitFor(`acedata task ${taskId}`, async () => {
      const { body } = await http.post(simulator, '/suno/tasks', { action: 'retrieve', id: taskId });
      const answer = body.response;
      if (answer && !answer.success) return answer;
      return answer?.data?.length > 0 && answer.data.every((clip: any) => clip.state === 'succeeded') ? answer : undefined;
    });
    expect(response.success, JSON.stringify(response.error)).toBe(true);
    return response.data;
  }

  async function run(body: Record<string, unknown>): Promise<any[]> {
    const submit = await audios(body);
    expect(submit.status, JSON.stringify(submit.body)).toBe(200);
    expect(submit.body).toMatchObject({ success: true });
    return clipsOf(submit.body.task_id);
  }

  async function pcmOf(clip: any): Promise<Float32Array> {
    const media = await downloadMedia(clip.audio_url, join(scratch, `ace-${++fileCount}.mp3`));
    const pcm = await decodePcm(media.file);
    expect(Math.abs(pcmSeconds(pcm) - clip.duration)).toBeLessThanOrEqual(0.03);
    return pcm;
  }

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'simulator-transforms-ace-'));
    receiver = await startReceiver();
    simulator = await http.start({ seed: 'transforms-acedata', callbackDelivery: { retryDelayMs: 50 } });
    const [clip] = await run({ action: 'generate', prompt: 'a song about a lighthouse', model: 'chirp-v4' });
    song = { id: clip.id, url: clip.audio_url, pcm: await pcmOf(clip) };
  }, 60_000);

  afterAll(async () => {
    await simulator?.close();
    await receiver?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('extends in parts and concat joins the chain of extensions back to the first song', async () => {
    const first = await run({ action: 'extend', audio_id: song.id, continue_at: 2 });
    expect(first).toHaveLength(2);
    expect(first[0].duration).toBeCloseTo(CLIP_SECONDS, 2);
    const second = await run({ action: 'extend', audio_id: first[0].id, continue_at: 1.5 });
    const [whole] = await run({ action: 'concat', audio_id: second[0].id });
    expect(whole.duration).toBeCloseTo(2 + 1.5 + CLIP_SECONDS, 2);
    const [firstPcm, secondPcm, wholePcm] = await Promise.all([pcmOf(first[0]), pcmOf(second[0]), pcmOf(whole)]);
    expect(relativeError(pcmWindow(wholePcm, 0, 2 - EDGE), pcmWindow(song.pcm, 0, 2 - EDGE))).toBeLessThan(SAME);
    expect(relativeError(pcmWindow(wholePcm, 2 + EDGE, 3.5 - EDGE), pcmWindow(firstPcm, EDGE, 1.5 - EDGE))).toBeLessThan(SAME);
    expect(relativeError(pcmWindow(wholePcm, 3.5 + EDGE, 6.5), pcmWindow(secondPcm, EDGE, 3))).toBeLessThan(SAME);
  });

  it('uploads audio by URL at once as one clip named by audio_id, the file itself; a bad URL is refused unpaid', async () => {
    const uploaded = await http.post(simulator, '/suno/upload', { audio_url: song.url });
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
    expect(uploaded.body).toMatchObject({ success: true, task_id: expect.any(String), data: { audio_id: expect.any(String), audio_url: expect.stringMatching(/^http/) } });
    const pcm = await pcmOf({ audio_url: uploaded.body.data.audio_url, duration: uploaded.body.data.duration });
    expect(relativeError(pcm, song.pcm)).toBeLessThan(SAME);
    const before = simulator.ledger.length;
    const refused = await http.post(simulator, '/suno/upload', { audio_url: 'file:///etc/passwd' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/^audio_url: must be an http\(s\) URL/);
    expect(simulator.ledger).toHaveLength(before);
  });

  it('makes every documented transform with the length its kind promises, and calls back', async () => {
    const upload = (await http.post(simulator, '/suno/upload', { audio_url: song.url })).body.data.audio_id as string;
    const cases: [Record<string, unknown>, number, number][] = [
      [{ action: 'cover', audio_id: song.id, style: 'jazz' }, 2, CLIP_SECONDS],
      [{ action: 'upload_cover', audio_id: upload, prompt: 'a cover' }, 2, CLIP_SECONDS],
      [{ action: 'upload_extend', audio_id: upload, continue_at: 1 }, 2, 1 + CLIP_SECONDS],
      [{ action: 'replace_section', audio_id: song.id, replace_section_start: 0.5, replace_section_end: 1.5, lyric: 'new line' }, 1, CLIP_SECONDS],
      [{ action: 'underpainting', audio_id: song.id, underpainting_end: 2 }, 2, CLIP_SECONDS],
      [{ action: 'overpainting', audio_id: upload, lyric: 'la la', prompt: 'sing' }, 2, CLIP_SECONDS],
      [{ action: 'samples', audio_id: song.id, samples_start: 0, samples_end: 1, prompt: 'a new song' }, 2, CLIP_SECONDS],
      [{ action: 'remaster', audio_id: song.id }, 1, CLIP_SECONDS],
      [{ action: 'mashup', mashup_audio_ids: [song.id, song.id], prompt: 'twice' }, 2, CLIP_SECONDS],
      [{ action: 'artist_consistency_vox', audio_id: song.id, prompt: 'in that voice' }, 2, CLIP_SECONDS],
    ];
    const before = simulator.ledger.length;
    for (const [body, count, seconds] of cases) {
      const clips = await run(body);
      expect(clips, String(body.action)).toHaveLength(count);
      // Fresh songs report ffprobe's reading of their MP3 (a few hundredths over); transforms, their exact length.
      for (const clip of clips) expect(clip.duration, String(body.action)).toBeCloseTo(seconds, 1);
    }
    expect(simulator.ledger).toHaveLength(before + cases.length);

    const hooked = await http.post(simulator, '/suno/audios', { action: 'remaster', audio_id: song.id, callback_url: `${receiver.url}/remaster` });
    const callback = await waitFor('remaster callback', () => receiver.received.find((received) => received.path === '/remaster'));
    expect(callback.body).toMatchObject({ success: true, task_id: hooked.body.task_id });
    expect(callback.body.data).toHaveLength(1);
  });

  it('inspo makes two new songs from 1 to 4 reference audios, copying none of them', async () => {
    const clips = await run({ action: 'inspo', audio_urls: [song.url], style: 'jazz', title: 'Inspired', custom: false, prompt: 'like that one' });
    expect(clips).toHaveLength(2);
    const inspired = await pcmOf(clips[0]);
    expect(pcmSeconds(inspired)).toBeCloseTo(CLIP_SECONDS, 1);
    expect(relativeError(pcmWindow(inspired, 0, 2), pcmWindow(song.pcm, 0, 2))).toBeGreaterThan(DIFFERENT);
    const before = simulator.ledger.length;
    const none = await audios({ action: 'inspo', prompt: 'x' });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/^audio_urls: is required when action is inspo/);
    const five = await audios({ action: 'inspo', audio_urls: Array(5).fill(song.url) });
    expect(five.body.error.message).toMatch(/^audio_urls: must hold 1 to 4 audio URLs, got 5/);
    const elsewhere = await audios({ action: 'cover', audio_id: song.id, audio_urls: [song.url] });
    expect(elsewhere.body.error.message).toMatch(/^audio_urls: is taken only when action is inspo/);
    expect(simulator.ledger).toHaveLength(before);
  });

  it('refuses bad transform bodies by field, unpaid', async () => {
    const before = simulator.ledger.length;
    const message = async (body: Record<string, unknown>) => {
      const answer = await audios(body);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ success: false, error: { code: 'bad_request' } });
      return answer.body.error.message as string;
    };
    expect(await message({ action: 'extend', audio_id: song.id })).toMatch(/^continue_at: is required/);
    expect(await message({ action: 'extend', audio_id: song.id, continue_at: 99 })).toMatch(/^continue_at: must be at most the audio's duration/);
    expect(await message({ action: 'concat' })).toMatch(/^audio_id: is required/);
    // The document's body has no audio_url: uploads are named by the audio_id /suno/upload answered.
    expect(await message({ action: 'upload_cover', audio_id: song.id, audio_url: 'https://example.com/x.mp3' })).toMatch(/^audio_url: is not a field of \/suno\/audios/);
    expect(await message({ action: 'upload_extend', continue_at: 1 })).toMatch(/^audio_id: is required/);
    expect(await message({ action: 'replace_section', audio_id: song.id, replace_section_start: 1, lyric: 'x' })).toMatch(/^replace_section_end: is required/);
    expect(
      await message({ action: 'replace_section', audio_id: song.id, replace_section_start: 1, replace_section_end: CLIP_SECONDS, lyric: 'x' }),
    ).toMatch(/^replace_section_end: must be less than the audio's duration/);
    expect(await message({ action: 'underpainting' })).toMatch(/^audio_id: is required/);
    expect(await message({ action: 'mashup', mashup_audio_ids: [song.id] })).toMatch(/^mashup_audio_ids: must name exactly 2/);
    expect(await message({ action: 'mashup', mashup_audio_ids: [song.id, 'nope'] })).toMatch(/^mashup_audio_ids: no audio nope/);
    expect(await message({ action: 'artist_consistency_vox', prompt: 'x' })).toMatch(/^persona_id: or audio_id is required/);
    expect(await message({ action: 'cover', audio_id: song.id, weirdness: 3 })).toMatch(/^weirdness: must be between 0 and 1/);
    expect(await message({ action: 'generate', prompt: 'x', variation_category: 'high' })).toMatch(/^variation_category: needs model v5/);
    expect(simulator.ledger).toHaveLength(before);
  });
});

describe('simulator transforms (anyint)', () => {
  let simulator: RunningSimulator;
  let receiver: Receiver;
  let scratch: string;
  let fileCount = 0;
  let song: { taskId: string; id: string; url: string; pcm: Float32Array };

  const hook = (name: string) => `${receiver.url}/${name}`;

  async function finished(taskId: string): Promise<any> {
    return waitFor(`anyint task ${taskId}`, async () => {
      const { body } = await http.get(simulator, `/suno/query/task?taskId=${encodeURIComponent(taskId)}`);
      const status = body.data?.status;
      return status === 'SUCCESS' || /FAILED/.test(status ?? '') ? body.data : undefined;
    });
  }

  async function run(path: string, body: Record<string, unknown>): Promise<any> {
    const submit = await http.post(simulator, path, { callBackUrl: hook(path.slice('/suno/'.length)), ...body });
    expect(submit.status, JSON.stringify(submit.body)).toBe(200);
    expect(submit.body).toMatchObject({ code: 200, data: { taskId: expect.any(String) } });
    const done = await finished(submit.body.data.taskId);
    expect(done.status, done.errorMessage).toBe('SUCCESS');
    return done;
  }

  async function pcmOf(clip: any): Promise<Float32Array> {
    const media = await downloadMedia(clip.audioUrl, join(scratch, `anyint-${++fileCount}.mp3`));
    const pcm = await decodePcm(media.file);
    expect(Math.abs(pcmSeconds(pcm) - clip.duration)).toBeLessThanOrEqual(0.03);
    return pcm;
  }

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'simulator-transforms-anyint-'));
    receiver = await startReceiver();
    simulator = await http.start({ seed: 'transforms-anyint', callbackDelivery: { retryDelayMs: 50 } });
    const done = await run('/suno/generate', { customMode: false, instrumental: false, model: 'V5', prompt: 'a song about harbours' });
    const clip = done.response.sunoData[0];
    song = { taskId: done.taskId, id: clip.id, url: clip.audioUrl, pcm: await pcmOf(clip) };
  }, 60_000);

  afterAll(async () => {
    await simulator?.close();
    await receiver?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('extend answers the whole song: the source up to continueAt, then new material, and calls back like a song', async () => {
    const done = await run('/suno/extend', { taskId: song.taskId, audioId: song.id, defaultParamFlag: true, continueAt: 2, model: 'V5' });
    expect(done).toMatchObject({ type: 'EXTEND', operationType: 'extend' });
    expect(done.response.sunoData).toHaveLength(2);
    const whole = await pcmOf(done.response.sunoData[0]);
    expect(pcmSeconds(whole)).toBeCloseTo(2 + CLIP_SECONDS, 2);
    expect(relativeError(pcmWindow(whole, 0, 2 - EDGE), pcmWindow(song.pcm, 0, 2 - EDGE))).toBeLessThan(SAME);
    const complete = await waitFor('extend callback', () =>
      receiver.received.find((received) => received.path === '/extend' && received.body.data.callbackType === 'complete'),
    );
    expect(complete.body.data).toMatchObject({ task_id: done.taskId });
    expect(complete.body.data.data).toHaveLength(2);
    // An extension is a song: it can be worked on again.
    const again = await run('/suno/extend', {
      taskId: done.taskId,
      audioId: done.response.sunoData[0].id,
      defaultParamFlag: true,
      continueAt: 4,
      model: 'V5',
    });
    expect(again.response.sunoData[0].duration).toBeCloseTo(4 + CLIP_SECONDS, 2);
  });

  it('replace-section, upload-cover, upload-extend, add-vocals and add-instrumental make clips of the promised length', async () => {
    const before = simulator.ledger.length;
    const replaced = await run('/suno/replace-section', {
      taskId: song.taskId,
      audioId: song.id,
      infillStartS: 1,
      infillEndS: 2,
      prompt: '[Verse]\nnew',
      tags: 'pop',
      title: 'Harbours',
    });
    expect(replaced.type).toBe('REPLACE_SECTION');
    expect(replaced.response.sunoData).toHaveLength(1);
    const replacedPcm = await pcmOf(replaced.response.sunoData[0]);
    expect(pcmSeconds(replacedPcm)).toBeCloseTo(pcmSeconds(song.pcm), 2);
    expect(relativeError(pcmWindow(replacedPcm, 2 + EDGE, 3), pcmWindow(song.pcm, 2 + EDGE, 3))).toBeLessThan(SAME);
    expect(relativeError(pcmWindow(replacedPcm, 1 + EDGE, 2 - EDGE), pcmWindow(song.pcm, 1 + EDGE, 2 - EDGE))).toBeGreaterThan(DIFFERENT);

    const cases: [string, Record<string, unknown>, number][] = [
      ['/suno/upload-cover', { uploadUrl: song.url, customMode: false, instrumental: false, model: 'V5', prompt: 'as jazz' }, CLIP_SECONDS],
      ['/suno/upload-extend', { uploadUrl: song.url, defaultParamFlag: true, instrumental: false, continueAt: 1, model: 'V5' }, 1 + CLIP_SECONDS],
      ['/suno/add-vocals', { uploadUrl: song.url, prompt: '[Verse]\nla', title: 'Sung', style: 'soul' }, CLIP_SECONDS],
      ['/suno/add-instrumental', { uploadUrl: song.url, title: 'Backed', tags: 'strings' }, CLIP_SECONDS],
    ];
    for (const [path, body, seconds] of cases) {
      const done = await run(path, body);
      expect(done.response.sunoData, path).toHaveLength(2);
      for (const clip of done.response.sunoData) expect(clip.duration, path).toBeCloseTo(seconds, 2);
    }
    expect(simulator.ledger).toHaveLength(before + 1 + cases.length);
  });

  it('puts injected faults in front of transform routes: an error answer is unpaid, a cut answer is paid', async () => {
    const section = { taskId: song.taskId, audioId: song.id, infillStartS: 0.5, infillEndS: 1, prompt: 'x', tags: 'y', title: 'z' };
    const before = simulator.ledger.length;
    simulator.faults.add([{ fault: 'throttled', route: 'POST /suno/replace-section' }]);
    const throttled = await http.post(simulator, '/suno/replace-section', { callBackUrl: hook('faulted'), ...section });
    expect(throttled.status).toBe(430);
    expect(throttled.body).toMatchObject({ code: 430, data: null });
    expect(simulator.ledger).toHaveLength(before);
    simulator.faults.add([{ fault: 'cut', route: 'POST /suno/replace-section' }]);
    await expect(http.post(simulator, '/suno/replace-section', { callBackUrl: hook('faulted'), ...section })).rejects.toThrow();
    expect(simulator.ledger).toHaveLength(before + 1);
    expect(simulator.ledger.at(-1)!.route).toBe('POST /suno/replace-section');
  });

  it('style-generate answers at once, paid', async () => {
    const before = simulator.ledger.length;
    const answer = await http.post(simulator, '/suno/style-generate', { content: 'lofi beats' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ code: 200, data: { taskId: expect.any(String), result: expect.stringMatching(/^lofi beats, /) } });
    expect(simulator.ledger).toHaveLength(before + 1);
    // Not a lyrics task, though it keeps its text as one.
    expect((await http.get(simulator, `/suno/query/lyrics?taskId=${answer.body.data.taskId}`)).body.code).toBe(400);
  });

  it('refuses bad transform bodies by field in its envelope, unpaid', async () => {
    const before = simulator.ledger.length;
    const message = async (path: string, body: Record<string, unknown>) => {
      const answer = await http.post(simulator, path, { callBackUrl: hook('refused'), ...body });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 400, data: null });
      return answer.body.msg as string;
    };
    const extend = { taskId: song.taskId, audioId: song.id, defaultParamFlag: true, model: 'V5' };
    expect(await message('/suno/extend', extend)).toMatch(/^continueAt: is required/);
    expect(await message('/suno/extend', { ...extend, continueAt: 99 })).toMatch(/^continueAt: must be at most the audio's duration/);
    expect(await message('/suno/extend', { ...extend, audioId: 'nope', continueAt: 1 })).toMatch(/audio not found/);
    expect(await message('/suno/extend', { ...extend, continueAt: 1, personaId: 'nobody' })).toMatch(/^personaId: persona not found/);
    expect(await message('/suno/upload-cover', { uploadUrl: 'file:///etc/passwd', customMode: false, instrumental: false, model: 'V5', prompt: 'x' })).toMatch(
      /^uploadUrl: must be an http\(s\) URL/,
    );
    expect(await message('/suno/upload-cover', { uploadUrl: song.url, customMode: true, instrumental: true, model: 'V5' })).toMatch(/^style: is required in custom mode/);
    expect(await message('/suno/add-vocals', { uploadUrl: song.url, title: 'x', style: 'y' })).toMatch(/^prompt: is required/);
    expect(await message('/suno/add-instrumental', { uploadUrl: song.url, title: 'x' })).toMatch(/^tags: is required/);
    const section = { taskId: song.taskId, audioId: song.id, prompt: 'x', tags: 'y', title: 'z' };
    expect(await message('/suno/replace-section', { ...section, infillStartS: 2, infillEndS: 1 })).toMatch(/^infillEndS: must be after infillStartS/);
    expect(await message('/suno/replace-section', { ...section, infillStartS: 1, infillEndS: CLIP_SECONDS })).toMatch(
      /^infillEndS: must be less than the audio's duration/,
    );
    expect(await message('/suno/style-generate', {})).toMatch(/^content: is required/);
    const noHook = await http.post(simulator, '/suno/extend', { ...extend, continueAt: 1 });
    expect(noHook.body.msg).toMatch(/^callBackUrl: is required/);
    expect(simulator.ledger).toHaveLength(before);
  });
});

describe('simulator transforms (newapi)', () => {
  let simulator: RunningSimulator;
  let receiver: Receiver;
  let scratch: string;
  let fileCount = 0;
  let song: { taskId: string; id: string; url: string; pcm: Float32Array };

  async function finished(taskId: string): Promise<any> {
    return waitFor(`newapi task ${taskId}`, async () => {
      const { body } = await http.get(simulator, `/suno/fetch/${taskId}`);
      return body.data?.status === 'SUCCESS' || body.data?.status === 'FAILURE' ? body.data : undefined;
    });
  }

  async function run(path: string, body: Record<string, unknown>): Promise<any> {
    const submit = await http.post(simulator, path, body);
    expect(submit.status, JSON.stringify(submit.body)).toBe(200);
    expect(submit.body).toMatchObject({ code: 'success', data: expect.any(String) });
    const done = await finished(submit.body.data);
    expect(done.status, done.fail_reason).toBe('SUCCESS');
    return done;
  }

  async function pcmOf(clip: any): Promise<Float32Array> {
    const media = await downloadMedia(clip.audio_url, join(scratch, `newapi-${++fileCount}.mp3`));
    const pcm = await decodePcm(media.file);
    expect(Math.abs(pcmSeconds(pcm) - clip.metadata.duration)).toBeLessThanOrEqual(0.03);
    return pcm;
  }

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'simulator-transforms-newapi-'));
    receiver = await startReceiver();
    simulator = await http.start({ seed: 'transforms-newapi', callbackDelivery: { retryDelayMs: 50 } });
    const done = await run('/suno/submit/music', { gpt_description_prompt: 'a song about bridges', mv: 'chirp-v3-5' });
    const clip = done.data[0];
    song = { taskId: done.task_id, id: clip.id, url: clip.audio_url, pcm: await pcmOf(clip) };
  }, 60_000);

  afterAll(async () => {
    await simulator?.close();
    await receiver?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('continues in parts, and concat of the last extension joins the chain from the first song', async () => {
    const first = await run('/suno/submit/music', {
      task_id: song.taskId,
      continue_at: 2,
      continue_clip_id: song.id,
      mv: 'chirp-v3-5',
      notify_hook: `${receiver.url}/continued`,
    });
    expect(first.data).toHaveLength(2);
    expect(first.data[0].metadata.duration).toBeCloseTo(CLIP_SECONDS, 2);
    const hooked = await waitFor('continuation hook', () => receiver.received.find((received) => received.path === '/continued'));
    expect(hooked.body).toMatchObject({ task_id: first.task_id, status: 'SUCCESS' });
    const second = await run('/suno/submit/music', { task_id: first.task_id, continue_at: 1, continue_clip_id: first.data[1].id, mv: 'chirp-v3-5' });
    const concat = await run('/suno/submit/concat', { clip_id: second.data[0].id });
    expect(concat.data).toHaveLength(1);
    const [firstPcm, secondPcm, wholePcm] = await Promise.all([pcmOf(first.data[1]), pcmOf(second.data[0]), pcmOf(concat.data[0])]);
    expect(pcmSeconds(wholePcm)).toBeCloseTo(2 + 1 + CLIP_SECONDS, 2);
    expect(relativeError(pcmWindow(wholePcm, 0, 2 - EDGE), pcmWindow(song.pcm, 0, 2 - EDGE))).toBeLessThan(SAME);
    expect(relativeError(pcmWindow(wholePcm, 2 + EDGE, 3 - EDGE), pcmWindow(firstPcm, EDGE, 1 - EDGE))).toBeLessThan(SAME);
    expect(relativeError(pcmWindow(wholePcm, 3 + EDGE, 6), pcmWindow(secondPcm, EDGE, 3))).toBeLessThan(SAME);
  });

  it('uploads audio from a URL as one finished clip that can be continued', async () => {
    const upload = await run('/suno/uploads/audio-url', { url: song.url });
    expect(upload.data).toHaveLength(1);
    expect(upload.data[0].status).toBe('complete');
    const uploaded = await pcmOf(upload.data[0]);
    expect(relativeError(uploaded, song.pcm)).toBeLessThan(SAME);
    const continued = await run('/suno/submit/music', { task_id: upload.task_id, continue_at: 1.5, continue_clip_id: upload.data[0].id });
    expect(continued.data).toHaveLength(2);
  });

  it('refuses bad bodies by field in its envelope, unpaid', async () => {
    const before = simulator.ledger.length;
    const message = async (path: string, body: Record<string, unknown>) => {
      const answer = await http.post(simulator, path, body);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 'invalid_request', data: null });
      return answer.body.message as string;
    };
    expect(await message('/suno/uploads/audio-url', {})).toMatch(/^url: is required/);
    expect(await message('/suno/uploads/audio-url', { url: 'ftp://example.com/a.mp3' })).toMatch(/^url: must be an http\(s\) URL/);
    expect(await message('/suno/submit/concat', {})).toMatch(/^clip_id: is required/);
    expect(await message('/suno/submit/concat', { clip_id: 'nope' })).toMatch(/^clip_id: no clip nope/);
    expect(await message('/suno/submit/music', { task_id: song.taskId, continue_at: 99, continue_clip_id: song.id })).toMatch(/^continue_at: beyond/);
    expect(simulator.ledger).toHaveLength(before);
  });
});

describe('simulator transforms (cqt tools and restarts)', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'simulator-transforms-tools-'));
  });

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  async function finished(simulator: RunningSimulator, id: string): Promise<any> {
    return waitFor(`task ${id}`, async () => {
      const { body } = await http.get(simulator, `/api/cqt/info/suno?id=${encodeURIComponent(id)}`);
      const status = body.data?.status;
      return status === 'succeeded' || status === 'failed' ? body.data : undefined;
    });
  }

  async function run(simulator: RunningSimulator, body: Record<string, unknown>): Promise<any> {
    const submit = await http.post(simulator, SUBMIT, body);
    expect(submit.status, JSON.stringify(submit.body)).toBe(200);
    const done = await finished(simulator, submit.body.data);
    expect(done.status, done.errorMsg).toBe('succeeded');
    return done;
  }

  it('answers cover_image, video, enhance_tags and downbeats in their shapes', async () => {
    const simulator = await http.start({ seed: 'transforms-tools' });
    try {
      const song = await run(simulator, { task: 'create', model: 'v55', prompt: 'a song about kites' });
      const clipId = song.result[0].id;
      const tags = await run(simulator, { task: 'enhance_tags', tags: 'dream pop' });
      expect(tags.result.tags).toMatch(/^dream pop, /);
      const beats = await run(simulator, { task: 'downbeats', clipId });
      expect(beats.result.downbeats[0]).toBe(0);
      expect(beats.result.downbeats.length).toBeGreaterThan(0);
      expect(beats.result.downbeats.every((at: number) => at >= 0 && at < CLIP_SECONDS)).toBe(true);
      const image = await run(simulator, { task: 'cover_image', clipId });
      expect(image.result.imageUrls).toHaveLength(2);
      const video = await run(simulator, { task: 'video', clipId, prompt: 'kites' });
      const media = await downloadMedia(video.result.videoUrl, join(scratch, 'video.mp4'));
      expect(media.probe.streams.map((stream) => stream.codecType).sort()).toEqual(['audio', 'video']);
      expect(Math.abs(media.probe.durationSeconds - CLIP_SECONDS)).toBeLessThanOrEqual(0.2);
      expect(simulator.ledger.map((entry) => (entry.body as { task: string }).task)).toEqual([
        'create',
        'enhance_tags',
        'downbeats',
        'cover_image',
        'video',
      ]);
    } finally {
      await simulator.close();
    }
  });

  it('keeps the recipes of transformed clips across a restart: rendered again, they are the same bytes', async () => {
    const stateDir = join(scratch, 'state');
    const first = await http.start({ seed: 'transforms-restart', stateDir });
    let mergeId: string;
    let bytes: Buffer;
    let audioName: string;
    try {
      const song = await run(first, { task: 'create', model: 'v55', prompt: 'a song about ferries' });
      const extended = await run(first, { task: 'extend', model: 'v55', clipId: song.result[0].id, continueAt: 1 });
      const merged = await run(first, { task: 'merge', clipIds: [song.result[0].id, extended.result[0].id] });
      mergeId = merged.result[0].id;
      bytes = (await downloadMedia(merged.result[0].audio_url, join(scratch, 'before.mp3'))).bytes;
      audioName = merged.result[0].audio_url.split('/media/')[1];
      // Same bytes for the same recipe, whatever the run: the id is in the file's name.
      expect(merged.result[0].audio_url).toContain(mergeId);
    } finally {
      await first.close();
    }
    // A fresh media directory: nothing is left to serve, so everything is rendered from the journal.
    const second = await http.start({ seed: 'transforms-restart', stateDir, mediaDir: join(scratch, 'fresh-media') });
    try {
      const mergeTask = second.ledger[2]!.taskId;
      const again = await finished(second, mergeTask);
      expect(again.status).toBe('succeeded');
      expect(again.result[0].id).toBe(mergeId);
      const after = await downloadMedia(again.result[0].audio_url, join(scratch, 'after.mp3'));
      expect(after.bytes.equals(bytes)).toBe(true);
      // Under the same name: the recipe read back from the journal is the recipe that was made.
      expect(again.result[0].audio_url.split('/media/')[1]).toBe(audioName);
    } finally {
      await second.close();
    }
  });
});
