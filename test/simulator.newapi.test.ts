// The simulator's NewAPI relay dialect, over HTTP: auth and validation in the relay's envelope,
// music and lyrics tasks fetched singly and in batches through the relay's statuses, the one
// notify_hook callback, continuation, real media, the ledger, and tasks kept across a restart
// (answered by this dialect only).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../simulator/index';
import { download, downloadMedia, simulatorHttp, startReceiver, waitForWith, type Receiver } from './helpers/simulatorHttp';

const API_KEY = 'test-key';
const CLIP_SECONDS = 3;
// Each stage lasts a second: a poll must see every one even on a loaded machine.
const STAGE_DELAYS = { text: 1000, first: 2000, complete: 3000 };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const { start: startWithDefaults, post, get } = simulatorHttp({ apiKey: API_KEY, clipSeconds: CLIP_SECONDS, stageDelaysMs: STAGE_DELAYS });
const waitFor = waitForWith(8000);

/** Fetches a task until SUCCESS, keeping the first snapshot seen at each status and progress. */
async function pollTask(simulator: RunningSimulator, taskId: string) {
  const seen = new Map<string, any>();
  const done = await waitFor('task SUCCESS', async () => {
    const { body } = await get(simulator, `/suno/fetch/${taskId}`);
    const key = `${body.data.status} ${body.data.progress}`;
    if (!seen.has(key)) seen.set(key, body.data);
    return body.data.status === 'SUCCESS' ? body.data : undefined;
  });
  return { seen, done };
}

const inspiration = { gpt_description_prompt: 'neon city at midnight', mv: 'chirp-v3-5', make_instrumental: false };

describe('simulator (newapi dialect)', () => {
  let simulator: RunningSimulator;
  let receiver: Receiver;
  let scratch: string;
  let musicId: string;
  let lyricsId: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    scratch = await mkdtemp(join(tmpdir(), 'simulator-newapi-'));
    simulator = await startWithDefaults({ seed: 'newapi', callbackDelivery: { retryDelayMs: 50 } });
  });

  afterAll(async () => {
    await simulator?.close();
    await receiver?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('answers 401 in the relay envelope without the right Bearer token', async () => {
    const missing = await post(simulator, '/suno/submit/music', inspiration, { 'content-type': 'application/json' });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ code: 'unauthorized', data: null });
    expect((await get(simulator, '/suno/fetch/x', { authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('rejects bad bodies with 400 naming the field, and unknown ids as the relay does', async () => {
    const customWithoutTitle = await post(simulator, '/suno/submit/music', { prompt: '[Verse]\nla la', tags: 'pop' });
    expect(customWithoutTitle.status).toBe(400);
    expect(customWithoutTitle.body).toMatchObject({ code: 'invalid_request', data: null });
    expect(customWithoutTitle.body.message).toMatch(/^title: is required in custom mode/);
    expect((await post(simulator, '/suno/submit/music', {})).body.message).toMatch(/^gpt_description_prompt: /);
    expect((await post(simulator, '/suno/submit/music', { ...inspiration, notify_hook: 'ftp://x' })).body.message).toMatch(
      /^notify_hook: must be an http\(s\) URL/,
    );
    expect((await post(simulator, '/suno/submit/music', { ...inspiration, task_id: 'abc' })).body.message).toMatch(
      /^continue_at: is required when continuing/,
    );
    expect((await post(simulator, '/suno/submit/lyrics', { prompt: '' })).body.message).toMatch(/^prompt: must not be empty/);
    expect((await post(simulator, '/suno/fetch', { action: 'MUSIC' })).body.message).toMatch(/^ids: is required/);
    expect((await post(simulator, '/suno/fetch', { ids: ['a'], action: 'VIDEO' })).body.message).toMatch(/^action: /);

    const unknown = await get(simulator, '/suno/fetch/0123456789abcdef0123456789abcdef');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ code: 'task_not_exist', message: 'task_not_exist', data: null });
    expect(simulator.ledger).toHaveLength(0);
  });

  it('runs a music task through the relay statuses, with real media and one notify_hook callback', async () => {
    const submit = await post(simulator, '/suno/submit/music', { ...inspiration, notify_hook: `${receiver.url}/music` });
    expect(submit.status).toBe(200);
    expect(submit.body).toMatchObject({ code: 'success', message: '' });
    musicId = submit.body.data;
    expect(musicId).toMatch(/^[0-9a-f]{32}$/);

    const { seen, done } = await pollTask(simulator, musicId);
    expect([...seen.keys()]).toEqual(['SUBMITTED 0%', 'IN_PROGRESS 30%', 'IN_PROGRESS 60%', 'SUCCESS 100%']);
    expect(seen.get('SUBMITTED 0%')).toMatchObject({ data: [], start_time: 0, finish_time: 0 });
    const [ready, streaming] = seen.get('IN_PROGRESS 60%').data;
    expect(ready.status).toBe('complete');
    expect(streaming).toMatchObject({ status: 'streaming', audio_url: '' });

    expect(done).toMatchObject({ task_id: musicId, action: 'MUSIC', fail_reason: '', notify_hook: `${receiver.url}/music` });
    expect(done.submit_time).toBeGreaterThan(1_700_000_000);
    expect(done.finish_time).toBeGreaterThanOrEqual(done.start_time);
    expect(done.start_time).toBeGreaterThanOrEqual(done.submit_time);
    expect(done.data).toHaveLength(2);
    for (const [index, clip] of done.data.entries()) {
      expect(clip).toMatchObject({ status: 'complete', model_name: 'chirp-v3-5', major_model_version: 'v3', video_url: '' });
      expect(clip.metadata).toMatchObject({ gpt_description_prompt: inspiration.gpt_description_prompt, error_type: null });
      expect(Math.abs(clip.metadata.duration - CLIP_SECONDS)).toBeLessThanOrEqual(0.5);

      const audio = await downloadMedia(clip.audio_url, join(scratch, `clip-${index}.mp3`));
      expect(audio.contentType).toBe('audio/mpeg');
      expect(audio.probe.streams.map((stream) => stream.codecName)).toContain('mp3');

      const image = await download(clip.image_url);
      expect(image.contentType).toBe('image/png');
      expect(image.bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    }

    const callback = await waitFor('music callback', () => receiver.received.find((received) => received.path === '/music'));
    expect(callback.body).toMatchObject({ task_id: musicId, action: 'MUSIC', status: 'SUCCESS', progress: '100%' });
    expect(callback.body.data.map((clip: any) => clip.audio_url)).toEqual(done.data.map((clip: any) => clip.audio_url));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.received.filter((received) => received.path === '/music')).toHaveLength(1);
  });

  it('completes a lyrics task with one lyrics object, by fetch and by callback', async () => {
    const submit = await post(simulator, '/suno/submit/lyrics', { prompt: 'rain on a tin roof', notify_hook: `${receiver.url}/lyrics` });
    lyricsId = submit.body.data;
    const pending = await get(simulator, `/suno/fetch/${lyricsId}`);
    expect(pending.body.data).toMatchObject({ action: 'LYRICS', status: 'SUBMITTED', progress: '0%', data: null });

    const { done } = await pollTask(simulator, lyricsId);
    expect(done).toMatchObject({ task_id: lyricsId, action: 'LYRICS', progress: '100%' });
    expect(done.data).toMatchObject({ id: lyricsId, status: 'complete' });
    expect(done.data.text).toMatch(/\[Verse\][\s\S]*\[Chorus\]/);
    expect(done.data.title.length).toBeGreaterThan(0);

    const callback = await waitFor('lyrics callback', () => receiver.received.find((received) => received.path === '/lyrics'));
    expect(callback.body.data.text).toBe(done.data.text);
  });

  it('fetches tasks in a batch, leaving out unknown ids and filtering by action', async () => {
    const all = await post(simulator, '/suno/fetch', { ids: [musicId, lyricsId, 'not-a-task', musicId] });
    expect(all.status).toBe(200);
    expect(all.body.code).toBe('success');
    expect(all.body.data.map((task: any) => task.task_id)).toEqual([musicId, lyricsId]);

    const lyricsOnly = await post(simulator, '/suno/fetch', { ids: [musicId, lyricsId], action: 'LYRICS' });
    expect(lyricsOnly.body.data.map((task: any) => task.task_id)).toEqual([lyricsId]);
  });

  it('continues a finished clip, and refuses a clip of another task', async () => {
    const source = (await get(simulator, `/suno/fetch/${musicId}`)).body.data;
    const clipId: string = source.data[1].id;
    const wrongClip = await post(simulator, '/suno/submit/music', { task_id: musicId, continue_at: 1.5, continue_clip_id: 'nope' });
    expect(wrongClip.status).toBe(400);
    expect(wrongClip.body.message).toMatch(/^continue_clip_id: /);

    const submit = await post(simulator, '/suno/submit/music', {
      task_id: musicId,
      continue_at: 1.5,
      continue_clip_id: clipId,
      prompt: '[Verse]\nStill the lights go on',
    });
    expect(submit.body.code).toBe('success');
    const { done } = await pollTask(simulator, submit.body.data);
    expect(done.data).toHaveLength(2);
    for (const clip of done.data) {
      expect(clip).toMatchObject({ title: source.data[1].title, model_name: 'chirp-v3-5' });
      expect(clip.metadata.prompt).toBe('[Verse]\nStill the lights go on');
      expect(source.data.map((old: any) => old.id)).not.toContain(clip.id);
    }
  });

  it('keeps a ledger of exactly the accepted submits', () => {
    expect(simulator.ledger.map((entry) => entry.route)).toEqual([
      'POST /suno/submit/music',
      'POST /suno/submit/lyrics',
      'POST /suno/submit/music',
    ]);
    expect(simulator.ledger[0]).toMatchObject({ taskId: musicId, body: { ...inspiration, notify_hook: `${receiver.url}/music` } });
  });
});

describe('simulator (newapi dialect) billing', () => {
  it('refuses a submit the quota cannot pay for with 403 quota_not_enough, unpaid', async () => {
    const broke = await startSimulator({ apiKey: API_KEY, credits: 0, sendCallbacks: false });
    try {
      const refused = await post(broke, '/suno/submit/lyrics', { prompt: 'rent day' });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'quota_not_enough', data: null });
      expect(broke.ledger).toHaveLength(0);
    } finally {
      await broke.close();
    }
  });
});

describe('simulator (newapi dialect) across a restart', () => {
  it('answers its tasks from before a restart, and no other dialect answers them', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'simulator-newapi-state-'));
    const start = () => startSimulator({ apiKey: API_KEY, stateDir, seed: 'restart', stageDelaysMs: STAGE_DELAYS, sendCallbacks: false });
    try {
      const first = await start();
      const lyricsId: string = (await post(first, '/suno/submit/lyrics', { prompt: 'old letters' })).body.data;
      const before = await waitFor('lyrics SUCCESS', async () => {
        const { body } = await get(first, `/suno/fetch/${lyricsId}`);
        return body.data.status === 'SUCCESS' ? body.data : undefined;
      });
      await first.close();

      const second = await start();
      try {
        const after = await get(second, `/suno/fetch/${lyricsId}`);
        expect(after.body.data).toEqual(before);
        expect(second.ledger.map((entry) => entry.taskId)).toEqual([lyricsId]);
        expect((await get(second, `/api/cqt/info/suno?id=${lyricsId}`)).status).toBe(404);
        expect((await get(second, `/suno/query/lyrics?taskId=${lyricsId}`)).body.msg).toBe('task not found');
      } finally {
        await second.close();
      }
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
