// The simulator's aimusicapi.org dialect, over HTTP: auth, validation that names the field, a work
// polled through its stages (including the window where `data.type` already says SUCCESS while the
// second clip is still streaming), real media, the ledger, and the 402 of an exhausted account.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../simulator/index';
import { download, downloadMedia, simulatorHttp, waitForWith } from './helpers/simulatorHttp';

const API_KEY = 'test-key';
const CLIP_SECONDS = 3;
// A wide first-to-complete gap, so the early-SUCCESS window is easy to observe.
const STAGE_DELAYS = { text: 150, first: 450, complete: 850 };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const { auth: AUTH, start: startWithDefaults, post, get } = simulatorHttp({ apiKey: API_KEY, clipSeconds: CLIP_SECONDS, stageDelaysMs: STAGE_DELAYS });
const waitFor = waitForWith(8000);

const inspiration = { gpt_description_prompt: 'a calm song about the sea at dawn', make_instrumental: false, model: 'chirp-v3-5' };
const custom = {
  prompt: '[Verse]\nWaves roll in\n[Chorus]\nHome again',
  title: 'Harbour Lights',
  tags: 'folk, acoustic',
  make_instrumental: false,
  model: 'chirp-v4',
};

describe('simulator (aimusicapi dialect)', () => {
  let simulator: RunningSimulator;
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'simulator-aimusicapi-'));
    simulator = await startWithDefaults({ seed: 'aimusicapi' });
  });

  afterAll(async () => {
    await simulator?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('answers 401 in its envelope without the right Bearer token', async () => {
    const missing = await post(simulator, '/api/submit', inspiration, { 'content-type': 'application/json' });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ code: 401 });
    expect(missing.body.message).toMatch(/authentication/);
    const wrong = await get(simulator, '/api/query?workId=x', { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
  });

  it('rejects bad bodies with 400 naming the field', async () => {
    const { model: _model, ...withoutModel } = inspiration;
    const noModel = await post(simulator, '/api/submit', withoutModel);
    expect(noModel.status).toBe(400);
    expect(noModel.body).toMatchObject({ code: 400 });
    expect(noModel.body.message).toMatch(/^model: /);

    const { tags: _tags, ...customWithoutTags } = custom;
    expect((await post(simulator, '/api/submit', customWithoutTags)).body.message).toMatch(/^tags: is required in custom mode/);
    expect((await post(simulator, '/api/submit', { model: 'chirp-v4' })).body.message).toMatch(/^gpt_description_prompt: /);
    expect((await post(simulator, '/api/submit', { ...inspiration, make_instrumental: 'no' })).body.message).toMatch(
      /^make_instrumental: must be a boolean/,
    );

    const notJson = await fetch(`${simulator.url}/api/submit`, { method: 'POST', headers: AUTH, body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as any).message).toMatch(/^body: /);

    const unknown = await get(simulator, '/api/query?workId=0123456789abcdef0123456789abcdef');
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/^workId: /);
    expect((await get(simulator, '/api/query')).body.message).toMatch(/^workId: is required/);
    expect(simulator.ledger).toHaveLength(0);
  });

  it('says SUCCESS before the second clip is complete, then finishes both clips with real media', async () => {
    const submit = await post(simulator, '/api/submit', inspiration);
    expect(submit.status).toBe(200);
    expect(submit.body).toMatchObject({ code: 200, message: 'success' });
    const workId: string = submit.body.workId;
    expect(workId).toMatch(/^[0-9a-f]{32}$/);

    // One snapshot per distinct (type, clip statuses) seen while polling.
    const seen = new Map<string, any>();
    const done = await waitFor('both clips complete', async () => {
      const { body } = await get(simulator, `/api/query?workId=${workId}`);
      const key = `${body.data.type}:${body.data.response_data.map((clip: any) => clip.status).join(',')}`;
      if (!seen.has(key)) seen.set(key, body.data);
      const clips = body.data.response_data;
      return clips.length === 2 && clips.every((clip: any) => clip.status === 'complete') ? body.data : undefined;
    });
    expect([...seen.keys()]).toEqual([
      'IN_PROGRESS:',
      'IN_PROGRESS:pending,pending',
      'SUCCESS:complete,streaming',
      'SUCCESS:complete,complete',
    ]);

    const early = seen.get('SUCCESS:complete,streaming');
    expect(early.response_data[0].audio_url).not.toBe('');
    expect(early.response_data[1]).toMatchObject({ audio_url: '', status: 'streaming' });
    expect(early.response_data[1].duration).toBeUndefined();

    expect(done.type).toBe('SUCCESS');
    expect(done.request_body).toEqual(inspiration);
    expect(Date.parse(done.created_at)).not.toBeNaN();
    for (const [index, clip] of done.response_data.entries()) {
      expect(clip.clip_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(clip.title.length).toBeGreaterThan(0);
      expect(clip.prompt).toMatch(/\[Verse\]/);
      expect(Math.abs(clip.duration - CLIP_SECONDS)).toBeLessThanOrEqual(0.5);

      const audio = await downloadMedia(clip.audio_url, join(scratch, `clip-${index}.mp3`));
      expect(audio.contentType).toBe('audio/mpeg');
      const { probe } = audio;
      expect(probe.streams.map((stream) => stream.codecName)).toContain('mp3');
      expect(Math.abs(probe.durationSeconds - CLIP_SECONDS)).toBeLessThanOrEqual(0.5);

      for (const url of [clip.image_url, clip.image_large_url]) {
        const image = await download(url);
        expect(image.contentType).toBe('image/png');
        expect(image.bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      }
    }
  });

  it('keeps the custom-mode title, tags and lyrics', async () => {
    const workId: string = (await post(simulator, '/api/submit', custom)).body.workId;
    const done = await waitFor('custom work complete', async () => {
      const { body } = await get(simulator, `/api/query?workId=${workId}`);
      return body.data.response_data.every((clip: any) => clip.status === 'complete') && body.data.response_data.length === 2
        ? body.data
        : undefined;
    });
    for (const clip of done.response_data) expect(clip).toMatchObject({ title: custom.title, tags: custom.tags, prompt: custom.prompt });
  });

  it('keeps a ledger of exactly the accepted submits', async () => {
    expect(simulator.ledger.map((entry) => entry.route)).toEqual(['POST /api/submit', 'POST /api/submit']);
    expect(simulator.ledger.map((entry) => entry.body)).toEqual([inspiration, custom]);
  });

  it('answers 402 once the account is out of credits', async () => {
    const poor = await startSimulator({ apiKey: API_KEY, credits: 1, clipSeconds: 1, stageDelaysMs: { text: 0, first: 0, complete: 0 } });
    try {
      const paid = await post(poor, '/api/submit', inspiration);
      expect(paid.status).toBe(200);
      const refused = await post(poor, '/api/submit', inspiration);
      expect(refused.status).toBe(402);
      expect(refused.body).toEqual({ code: 402, message: 'Not enough credits' });
      expect(poor.ledger).toHaveLength(1);
      // Closing while media is still rendering races the removal of the media dir; a query waits for it.
      expect((await get(poor, `/api/query?workId=${paid.body.workId}`)).body.data.type).toBe('SUCCESS');
    } finally {
      await poor.close();
    }
  });
});
