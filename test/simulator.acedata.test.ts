// The simulator's AceData Cloud dialect, over HTTP: auth and validation in its error form, the
// three ways a submit is answered (async with a final callback, held open until done, NDJSON
// stream), task records read singly and in batches, lyrics, extend, the work on a finished clip
// (stems, all stems, WAV, MP4, word timing, persona and a song sung with it), real media and the
// ledger.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../simulator/index';
import { download, downloadMedia, simulatorHttp, startReceiver, waitForWith, type Receiver } from './helpers/simulatorHttp';

const API_KEY = 'test-key';
const CLIP_SECONDS = 3;
// Windows of 300 ms between stages, so a poll lands in each even on a loaded machine.
// Each stage lasts a second or more: a poll must see every one even on a loaded machine.
const STAGE_DELAYS = { text: 1000, first: 2000, complete: 3000 };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const { auth: AUTH, start: startWithDefaults, post } = simulatorHttp({ apiKey: API_KEY, clipSeconds: CLIP_SECONDS, stageDelaysMs: STAGE_DELAYS });
const waitFor = waitForWith(8000);

const retrieve = (simulator: RunningSimulator, id: string) => post(simulator, '/suno/tasks', { id, action: 'retrieve' });

const generate = { action: 'generate', prompt: 'a song about a lighthouse keeper', model: 'chirp-v4' };

describe('simulator (acedata dialect)', () => {
  let simulator: RunningSimulator;
  let receiver: Receiver;
  let scratch: string;
  let asyncId: string;
  let lyricsId: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    scratch = await mkdtemp(join(tmpdir(), 'simulator-acedata-'));
    simulator = await startWithDefaults({ seed: 'acedata', callbackDelivery: { retryDelayMs: 50 } });
  });

  afterAll(async () => {
    await simulator?.close();
    await receiver?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('answers 401 in its error form without the right Bearer token', async () => {
    const missing = await post(simulator, '/suno/audios', generate, { 'content-type': 'application/json' });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ success: false, error: { code: 'invalid_token' } });
    expect(missing.body.trace_id).toMatch(UUID);
  });

  it('rejects bad bodies with 400 naming the field', async () => {
    const customWithoutLyric = await post(simulator, '/suno/audios', { action: 'generate', custom: true, title: 'X' });
    expect(customWithoutLyric.status).toBe(400);
    expect(customWithoutLyric.body).toMatchObject({ success: false, error: { code: 'bad_request' } });
    expect(customWithoutLyric.body.error.message).toMatch(/^lyric: is required in custom mode/);

    const message = async (path: string, body: unknown) => (await post(simulator, path, body)).body.error.message as string;
    expect(await message('/suno/audios', { ...generate, prompt: 'x'.repeat(201) })).toMatch(/^prompt: must be at most 200 characters/);
    expect(await message('/suno/audios', { ...generate, action: 'dance' })).toMatch(/^action: must be one of/);
    expect(await message('/suno/audios', { ...generate, callback_url: 'not a url' })).toMatch(/^callback_url: /);
    expect(await message('/suno/audios', { action: 'extend', prompt: 'more' })).toMatch(/^audio_id: is required/);
    expect(await message('/suno/lyrics', { model: 'default' })).toMatch(/^prompt: is required/);
    expect(await message('/suno/tasks', { id: 'x' })).toMatch(/^action: /);
    expect(await message('/suno/tasks', { action: 'retrieve' })).toMatch(/^id: is required/);
    expect(await message('/suno/tasks', { action: 'retrieve_batch' })).toMatch(/^ids: is required/);

    const unknown = await retrieve(simulator, '0123456789abcdef0123456789abcdef');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect(simulator.ledger).toHaveLength(0);
  });

  it('answers an async submit at once, shows progress in the task record and calls back once when done', async () => {
    const submit = await post(simulator, '/suno/audios', { ...generate, callback_url: `${receiver.url}/audios` });
    expect(submit.status).toBe(200);
    expect(submit.body).toMatchObject({ success: true });
    expect(submit.body.data).toBeUndefined();
    asyncId = submit.body.task_id;
    expect(submit.body.trace_id).toMatch(UUID);

    const states = new Map<string, any>();
    const done = await waitFor('task record with succeeded clips', async () => {
      const { body } = await retrieve(simulator, asyncId);
      const clips: any[] = body.response?.data ?? [];
      const key = clips.map((clip) => clip.state).join(',');
      if (!states.has(key)) states.set(key, body);
      return clips.length === 2 && clips.every((clip) => clip.state === 'succeeded') ? body : undefined;
    });
    expect([...states.keys()]).toEqual(['', 'pending,pending', 'succeeded,running', 'succeeded,succeeded']);
    expect(states.get('').response).toBeUndefined();
    expect(done).toMatchObject({ id: asyncId, type: 'audios', request: { ...generate, callback_url: `${receiver.url}/audios` } });
    expect(done.response).toMatchObject({ success: true, task_id: asyncId, trace_id: submit.body.trace_id });

    for (const [index, clip] of done.response.data.entries()) {
      expect(clip).toMatchObject({ model: 'chirp-v4', video_url: '' });
      expect(clip.id).toMatch(UUID);
      expect(clip.lyric).toMatch(/\[Verse\]/);
      expect(clip.style.length).toBeGreaterThan(0);
      expect(Math.abs(clip.duration - CLIP_SECONDS)).toBeLessThanOrEqual(0.5);
      const audio = await downloadMedia(clip.audio_url, join(scratch, `clip-${index}.mp3`));
      expect(audio.contentType).toBe('audio/mpeg');
      expect(audio.probe.streams.map((stream) => stream.codecName)).toContain('mp3');
      const image = await download(clip.image_url);
      expect(image.bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    }

    const callback = await waitFor('audios callback', () => receiver.received.find((received) => received.path === '/audios'));
    expect(callback.body).toEqual(done.response);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.received.filter((received) => received.path === '/audios')).toHaveLength(1);
  });

  it('holds a plain submit open until the result is final', async () => {
    const started = Date.now();
    const { status, body } = await post(simulator, '/suno/audios', { ...generate, custom: true, lyric: '[Verse]\nOne light', title: 'Keeper', style: 'folk' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(STAGE_DELAYS.complete - 20);
    expect(status).toBe(200);
    expect(body).toMatchObject({ success: true });
    expect(body.data).toHaveLength(2);
    for (const clip of body.data) expect(clip).toMatchObject({ state: 'succeeded', title: 'Keeper', style: 'folk', lyric: '[Verse]\nOne light' });
  });

  it('streams NDJSON lines, the first at once and the last final, when asked to', async () => {
    const response = await fetch(`${simulator.url}/suno/audios`, {
      method: 'POST',
      headers: { ...AUTH, accept: 'application/x-ndjson' },
      body: JSON.stringify(generate),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await response.text())
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.data.map((clip: any) => clip.state).join(','))).toEqual([
      '',
      'pending,pending',
      'succeeded,running',
      'succeeded,succeeded',
    ]);
    expect(new Set(lines.map((line) => line.task_id)).size).toBe(1);
    expect(lines.every((line) => line.success === true)).toBe(true);
  });

  it('makes lyrics, held open or async with a callback', async () => {
    const held = await post(simulator, '/suno/lyrics', { prompt: 'winter harbour', model: 'default' });
    expect(held.status).toBe(200);
    expect(held.body.success).toBe(true);
    expect(held.body.data).toHaveLength(2);
    for (const variant of held.body.data) {
      expect(variant.status).toBe('complete');
      expect(variant.text).toMatch(/\[Verse\][\s\S]*\[Chorus\]/);
    }

    const submit = await post(simulator, '/suno/lyrics', { prompt: 'summer harbour', callback_url: `${receiver.url}/lyrics` });
    lyricsId = submit.body.task_id;
    expect((await retrieve(simulator, lyricsId)).body).toMatchObject({ id: lyricsId, type: 'lyrics' });
    const callback = await waitFor('lyrics callback', () => receiver.received.find((received) => received.path === '/lyrics'));
    expect(callback.body).toMatchObject({ success: true, task_id: lyricsId });
    expect((await retrieve(simulator, lyricsId)).body.response).toEqual(callback.body);
  });

  it('extends a clip into two new clips that keep its title and style', async () => {
    const source = (await retrieve(simulator, asyncId)).body.response.data[0];
    const submit = await post(simulator, '/suno/audios', { action: 'extend', audio_id: source.id, continue_at: 2, async: true });
    expect(submit.body.success).toBe(true);
    const done = await waitFor('extend done', async () => {
      const { body } = await retrieve(simulator, submit.body.task_id);
      return body.response?.data?.every((clip: any) => clip.state === 'succeeded') ? body.response : undefined;
    });
    expect(done.data).toHaveLength(2);
    expect(done.data.map((clip: any) => clip.id)).not.toContain(source.id);
    for (const clip of done.data) expect(clip).toMatchObject({ title: source.title, style: source.style, model: source.model });
  });

  it('reads tasks in a batch, leaving out unknown ids', async () => {
    const batch = await post(simulator, '/suno/tasks', { action: 'retrieve_batch', ids: [asyncId, 'nope', lyricsId] });
    expect(batch.status).toBe(200);
    expect(batch.body.count).toBe(2);
    expect(batch.body.items.map((item: any) => [item.id, item.type])).toEqual([
      [asyncId, 'audios'],
      [lyricsId, 'lyrics'],
    ]);
  });

  it('refuses requests that lack what their action needs, and clips it never made, unpaid', async () => {
    const before = simulator.ledger.length;
    const inspo = await post(simulator, '/suno/audios', { action: 'inspo', prompt: 'x' });
    expect(inspo.status).toBe(400);
    expect(inspo.body.error.message).toMatch(/^audio_urls: is required when action is inspo/);
    const unknownClip = await post(simulator, '/suno/audios', { action: 'stems', audio_id: '00000000-0000-4000-8000-000000000000' });
    expect(unknownClip.status).toBe(400);
    expect(unknownClip.body.error.message).toMatch(/^audio_id: no audio /);
    expect((await post(simulator, '/suno/wav', {})).body.error.message).toMatch(/^audio_id: is required/);
    expect((await post(simulator, '/suno/persona', { audio_id: 'x' })).body.error.message).toMatch(/^name: is required/);
    expect((await post(simulator, '/suno/audios', { ...generate, persona_id: 'nobody' })).body.error.message).toMatch(/^persona_id: /);
    expect(simulator.ledger).toHaveLength(before);
  });

  it('separates a clip into vocals and instrumental (stems) that decode and last as long as the song', async () => {
    const source = (await retrieve(simulator, asyncId)).body.response.data[0];
    const { status, body } = await post(simulator, '/suno/audios', { action: 'stems', audio_id: source.id });
    expect(status).toBe(200);
    expect(body.success).toBe(true);
    expect(body.data.map((stem: any) => stem.stem_type)).toEqual(['vocals', 'instrumental']);
    for (const [index, stem] of body.data.entries()) {
      expect(stem).toMatchObject({ state: 'succeeded', stem_from_id: source.id, title: `${source.title} (${index === 0 ? 'Vocals' : 'Instrumental'})` });
      expect(stem.id).toMatch(UUID);
      const audio = await downloadMedia(stem.audio_url, join(scratch, `stem-${index}.mp3`));
      expect(audio.contentType).toBe('audio/mpeg');
      expect(Math.abs(audio.probe.durationSeconds - CLIP_SECONDS)).toBeLessThanOrEqual(0.5);
    }
    const record = (await retrieve(simulator, body.task_id)).body;
    expect(record).toMatchObject({ type: 'audios', response: body });
  });

  it('splits all stems, async with a callback', async () => {
    const source = (await retrieve(simulator, asyncId)).body.response.data[1];
    const submit = await post(simulator, '/suno/audios', { action: 'all_stems', audio_id: source.id, callback_url: `${receiver.url}/stems` });
    expect(submit.body).toMatchObject({ success: true });
    expect((await retrieve(simulator, submit.body.task_id)).body.response).toBeUndefined();
    const callback = await waitFor('stems callback', () => receiver.received.find((received) => received.path === '/stems'));
    expect(callback.body.task_id).toBe(submit.body.task_id);
    expect(callback.body.data.map((stem: any) => stem.stem_type)).toEqual(['vocals', 'drums', 'bass', 'keyboard']);
    expect((await download(callback.body.data[1].audio_url)).contentType).toBe('audio/mpeg');
  });

  it('exports a WAV of a clip, held open or with a callback', async () => {
    const source = (await retrieve(simulator, asyncId)).body.response.data[0];
    const held = await post(simulator, '/suno/wav', { audio_id: source.id });
    expect(held.status).toBe(200);
    expect(held.body).toMatchObject({ success: true });
    const wav = await downloadMedia(held.body.data[0].file_url, join(scratch, 'song.wav'));
    expect(wav.contentType).toBe('audio/wav');
    expect(wav.bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
    const { probe } = wav;
    expect(probe.streams.map((stream) => stream.codecName)).toContain('pcm_s16le');
    expect(Math.abs(probe.durationSeconds - CLIP_SECONDS)).toBeLessThanOrEqual(0.1);

    const submit = await post(simulator, '/suno/wav', { audio_id: source.id, callback_url: `${receiver.url}/wav` });
    expect(submit.body.data).toBeUndefined();
    const callback = await waitFor('wav callback', () => receiver.received.find((received) => received.path === '/wav'));
    expect(callback.body).toMatchObject({ success: true, task_id: submit.body.task_id, data: [{ file_url: held.body.data[0].file_url }] });
    expect((await retrieve(simulator, submit.body.task_id)).body).toMatchObject({ type: 'wav', response: callback.body });
  });

  it('exports an MP4 of a clip, and times its words at once', async () => {
    const source = (await retrieve(simulator, asyncId)).body.response.data[0];
    const mp4 = await post(simulator, '/suno/mp4', { audio_id: source.id });
    expect(mp4.status).toBe(200);
    expect(mp4.body.success).toBe(true);
    const video = await downloadMedia(mp4.body.data[0].video_url, join(scratch, 'song.mp4'));
    expect(video.contentType).toBe('video/mp4');
    const { probe } = video;
    expect(probe.streams.map((stream) => stream.codecType).sort()).toEqual(['audio', 'video']);
    expect(Math.abs(probe.durationSeconds - CLIP_SECONDS)).toBeLessThanOrEqual(0.5);
    expect((await retrieve(simulator, mp4.body.task_id)).body).toMatchObject({ type: 'mp4', response: mp4.body });

    const timing = await post(simulator, '/suno/timing', { audio_id: source.id });
    expect(timing.status).toBe(200);
    const words = timing.body.data.aligned_words;
    expect(words[0].word).toMatch(/^\[Verse\]\n/);
    const sungWords = (source.lyric as string)
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !/^\[.*\]$/.test(line))
      .flatMap((line) => line.split(/\s+/));
    expect(words).toHaveLength(sungWords.length);
    for (const [index, word] of words.entries()) {
      expect(word.start_s).toBeGreaterThanOrEqual(index === 0 ? 0 : words[index - 1].end_s);
      expect(word.end_s).toBeLessThanOrEqual(CLIP_SECONDS);
    }
    expect((await retrieve(simulator, timing.body.task_id)).body).toMatchObject({ type: 'timing', response: timing.body });
  });

  it('makes a persona from a clip at once, and sings a new song with it', async () => {
    const source = (await retrieve(simulator, asyncId)).body.response.data[0];
    const persona = await post(simulator, '/suno/persona', { name: 'Keeper voice', audio_id: source.id, description: 'warm' });
    expect(persona.status).toBe(200);
    expect(persona.body).toMatchObject({ success: true, data: { persona_id: persona.body.task_id } });
    expect((await retrieve(simulator, persona.body.task_id)).body).toMatchObject({ type: 'persona', response: persona.body });

    const missing = await post(simulator, '/suno/audios', { ...generate, action: 'artist_consistency', async: true });
    expect(missing.body.error.message).toMatch(/^persona_id: is required when action is artist_consistency/);
    const song = await post(simulator, '/suno/audios', {
      ...generate,
      action: 'artist_consistency',
      persona_id: persona.body.data.persona_id,
      async: true,
    });
    expect(song.body.success).toBe(true);
    await waitFor('persona song done', async () => {
      const { body } = await retrieve(simulator, song.body.task_id);
      return body.response?.data?.every((clip: any) => clip.state === 'succeeded') ? true : undefined;
    });
  });

  it('keeps a ledger of exactly the accepted submits', () => {
    expect(simulator.ledger.map((entry) => entry.route)).toEqual([
      'POST /suno/audios',
      'POST /suno/audios',
      'POST /suno/audios',
      'POST /suno/lyrics',
      'POST /suno/lyrics',
      'POST /suno/audios',
      'POST /suno/audios',
      'POST /suno/audios',
      'POST /suno/wav',
      'POST /suno/wav',
      'POST /suno/mp4',
      'POST /suno/timing',
      'POST /suno/persona',
      'POST /suno/audios',
    ]);
    expect(simulator.ledger[0]).toMatchObject({ taskId: asyncId, body: { ...generate, callback_url: `${receiver.url}/audios` } });
  });
});

describe('simulator (acedata dialect) billing', () => {
  it('refuses a submit the balance cannot pay for with used_up, unpaid', async () => {
    const broke = await startSimulator({ apiKey: API_KEY, credits: 0, sendCallbacks: false });
    try {
      const refused = await post(broke, '/suno/audios', { ...generate, async: true });
      expect(refused.status).toBe(402);
      expect(refused.body).toMatchObject({ success: false, error: { code: 'used_up' } });
      expect(broke.ledger).toHaveLength(0);
    } finally {
      await broke.close();
    }
  });
});
