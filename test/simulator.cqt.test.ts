// The simulator's CQTAI dialect, over HTTP: auth and validation in its envelope, create, lyrics,
// extend and cover tasks polled from the info route, the work on a finished clip (stems, all stems,
// WAV, MP4, word timeline, persona), real media, the ledger, and the two refusals clients must
// classify: 451 for an artist name and 429 past the running-task limit.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../simulator/index';
import { download, downloadMedia, simulatorHttp, waitForWith } from './helpers/simulatorHttp';

const API_KEY = 'test-key';
const CLIP_SECONDS = 3;
// Windows of 300 ms between stages, so a poll lands in each even on a loaded machine.
// Stages long enough that a query lands in each even when a render runs on a busy machine.
const STAGE_DELAYS = { text: 500, first: 1000, complete: 1500 };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SUBMIT = '/api/cqt/generator/suno';

const http = simulatorHttp({ apiKey: API_KEY, clipSeconds: CLIP_SECONDS, stageDelaysMs: STAGE_DELAYS });
const waitFor = waitForWith(8000);

// Every CQTAI task is submitted to the one generator route and read back from the one info route.
const post = (simulator: RunningSimulator, body: unknown, headers?: Record<string, string>) => http.post(simulator, SUBMIT, body, headers);
const info = (simulator: RunningSimulator, id: string, headers?: Record<string, string>) =>
  http.get(simulator, `/api/cqt/info/suno?id=${encodeURIComponent(id)}`, headers);

/** Polls a task until it succeeds, keeping the first answer seen at each status. */
async function pollTask(simulator: RunningSimulator, id: string) {
  const seen = new Map<string, any>();
  const done = await waitFor(`task ${id} succeeded`, async () => {
    const { body } = await info(simulator, id);
    if (!seen.has(body.data.status)) seen.set(body.data.status, body.data);
    return body.data.status === 'succeeded' ? body.data : undefined;
  });
  return { seen, done };
}

const create = { task: 'create', model: 'v55', customMode: false, makeInstrumental: false, prompt: 'an upbeat song about trains' };

describe('simulator (cqt dialect)', () => {
  let simulator: RunningSimulator;
  let scratch: string;
  let song: any;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'simulator-cqt-'));
    simulator = await http.start({ seed: 'cqt' });
  });

  afterAll(async () => {
    await simulator?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('answers 401 in its envelope without the right Bearer token', async () => {
    const missing = await post(simulator, create, { 'content-type': 'application/json' });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ code: 401, data: null });
    expect((await info(simulator, 'x', { authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('rejects bad bodies with 400 naming the field', async () => {
    const message = async (body: unknown) => {
      const { status, body: answer } = await post(simulator, body);
      expect(status).toBe(400);
      expect(answer).toMatchObject({ code: 400, data: null });
      return answer.msg as string;
    };
    expect(await message({ model: 'v55', prompt: 'x' })).toMatch(/^task: is required/);
    expect(await message({ ...create, task: 'karaoke' })).toMatch(/^task: must be one of/);
    expect(await message({ ...create, model: 'v3' })).toMatch(/^model: must be one of v55, v50, v45\+, v45, v40/);
    expect(await message({ task: 'create', prompt: 'x' })).toMatch(/^model: is required/);
    expect(await message({ ...create, customMode: true, prompt: '[Verse]\nla', title: 'T' })).toMatch(/^tags: is required in custom mode/);
    expect(await message({ ...create, styleWeight: 2 })).toMatch(/^styleWeight: must be between 0 and 1/);
    expect(await message({ task: 'lyrics' })).toMatch(/^prompt: is required/);
    expect(await message({ task: 'downbeats' })).toMatch(/^clipId: is required/);
    expect(await message({ task: 'extend', model: 'v55', clipId: 'abc' })).toMatch(/^continueAt: is required for extend/);
    expect(await message({ task: 'upload', audioUrl: 'ftp://example.com/a.mp3' })).toMatch(/^audioUrl: must be an http\(s\) URL/);
    expect(await message({ task: 'merge', clipIds: ['only-one'] })).toMatch(/^clipIds: must name at least 2 clips/);
    expect(await message({ task: 'add_vocals', prompt: 'la' })).toMatch(/^clipId: give exactly one of clipId and audioUrl/);
    expect(await message({ task: 'wav' })).toMatch(/^clipId: is required/);
    expect(await message({ task: 'wav', clipId: '00000000-0000-4000-8000-000000000000' })).toMatch(/^clipId: no clip /);
    expect(await message({ task: 'persona', clipId: 'abc' })).toMatch(/^name: is required/);
    expect(await message({ ...create, personaId: 'nobody' })).toMatch(/^personaId: no persona/);

    const unknown = await info(simulator, '0123456789abcdef0123456789abcdef');
    expect(unknown.status).toBe(404);
    expect(unknown.body.msg).toMatch(/^id: /);
    expect(simulator.ledger).toHaveLength(0);
  });

  it('runs a create task to success with two clips of real media', async () => {
    const submit = await post(simulator, create);
    expect(submit.status).toBe(200);
    expect(submit.body).toMatchObject({ code: 200, msg: 'success' });
    const id: string = submit.body.data;
    expect(id).toMatch(/^[0-9a-f]{32}$/);

    const { seen, done } = await pollTask(simulator, id);
    song = done;
    expect([...seen.keys()]).toEqual(['pending', 'running', 'succeeded']);
    expect(seen.get('pending')).toMatchObject({ id, taskType: 'create', errorMsg: '', result: null, param: create });

    expect(done.result).toHaveLength(2);
    for (const [index, clip] of done.result.entries()) {
      expect(clip).toMatchObject({ status: 'complete', model_name: 'chirp-v55', major_model_version: 'v5.5' });
      expect(clip.metadata.prompt).toMatch(/\[Verse\]/);
      expect(Math.abs(clip.metadata.duration - CLIP_SECONDS)).toBeLessThanOrEqual(0.5);
      const audio = await downloadMedia(clip.audio_url, join(scratch, `clip-${index}.mp3`));
      expect(audio.contentType).toBe('audio/mpeg');
      const { probe } = audio;
      expect(probe.streams.map((stream) => stream.codecName)).toContain('mp3');
      const image = await download(clip.image_url);
      expect(image.contentType).toBe('image/png');
      expect(image.bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    }
  });

  it('keeps custom-mode lyrics, title and tags', async () => {
    const custom = { ...create, customMode: true, prompt: '[Verse]\nSteel and steam', title: 'Night Train', tags: 'blues' };
    const { done } = await pollTask(simulator, (await post(simulator, custom)).body.data);
    for (const clip of done.result) {
      expect(clip).toMatchObject({ title: 'Night Train', metadata: { tags: 'blues', prompt: '[Verse]\nSteel and steam' } });
    }
  });

  it('makes lyrics, with the text as the result object', async () => {
    const id: string = (await post(simulator, { task: 'lyrics', prompt: 'a happy song about a girl and a boy' })).body.data;
    const { seen, done } = await pollTask(simulator, id);
    expect(seen.get('pending').result).toBeNull();
    expect(done).toMatchObject({ taskType: 'lyrics', errorMsg: '' });
    expect(done.result.text).toMatch(/\[Verse\][\s\S]*\[Chorus\]/);
    expect(done.result.title.length).toBeGreaterThan(0);
  });

  it('works on a finished clip: stems, all stems, WAV, MP4, word timeline and persona', async () => {
    const clip = song.result[0];
    const submitted = new Map<string, string>();
    for (const task of ['gen_stem_two', 'gen_stem_all', 'wav', 'mp4', 'timeline'] as const) {
      const submit = await post(simulator, { task, clipId: clip.id });
      expect(submit.status).toBe(200);
      submitted.set(task, submit.body.data);
    }
    const persona = await post(simulator, { task: 'persona', clipId: clip.id, name: 'Rail voice', description: 'bright' });
    submitted.set('persona', persona.body.data);
    const done = new Map<string, any>();
    for (const [task, id] of submitted) {
      const { seen, done: answer } = await pollTask(simulator, id);
      expect(answer).toMatchObject({ taskType: task, errorMsg: '', param: expect.objectContaining({ task, clipId: clip.id }) });
      if (task !== 'timeline' && task !== 'persona') expect(seen.get('pending')?.result ?? null).toBeNull();
      done.set(task, answer.result);
    }

    const probeDownload = async (url: string, name: string, contentType: string) => {
      const media = await downloadMedia(url, join(scratch, name));
      expect(media.contentType).toBe(contentType);
      return media.probe;
    };
    const two = done.get('gen_stem_two');
    expect(two.map((stem: any) => stem.metadata.stem_type_group_name)).toEqual(['Vocals', 'Instrumental']);
    expect(done.get('gen_stem_all').map((stem: any) => stem.metadata.stem_type_group_name)).toEqual(['Vocals', 'Drums', 'Bass', 'Keyboard']);
    for (const [index, stem] of two.entries()) {
      expect(stem).toMatchObject({ status: 'complete', title: `${clip.title} (${stem.metadata.stem_type_group_name})` });
      expect(stem.metadata.stem_from_id).toBe(clip.id);
      const probe = await probeDownload(stem.audio_url, `stem-${index}.mp3`, 'audio/mpeg');
      expect(Math.abs(probe.durationSeconds - CLIP_SECONDS)).toBeLessThanOrEqual(0.5);
    }

    const wav = done.get('wav');
    expect(wav.clipId).toBe(clip.id);
    const wavProbe = await probeDownload(wav.wav_url, 'song.wav', 'audio/wav');
    expect(wavProbe.streams.map((stream) => stream.codecName)).toContain('pcm_s16le');
    expect(Math.abs(wavProbe.durationSeconds - CLIP_SECONDS)).toBeLessThanOrEqual(0.1);

    const video = await probeDownload(done.get('mp4').video_url, 'song.mp4', 'video/mp4');
    expect(video.streams.map((stream) => stream.codecType).sort()).toEqual(['audio', 'video']);
    expect(Math.abs(video.durationSeconds - CLIP_SECONDS)).toBeLessThanOrEqual(0.5);

    const words = done.get('timeline').aligned_words;
    expect(words.length).toBeGreaterThan(10);
    expect(words[0].word).toMatch(/^\[Verse\]\n/);
    for (const [index, word] of words.entries()) {
      expect(word).toMatchObject({ success: true });
      expect(word.start_s).toBeGreaterThanOrEqual(index === 0 ? 0 : words[index - 1].end_s);
      expect(word.end_s).toBeGreaterThan(word.start_s);
      expect(word.end_s).toBeLessThanOrEqual(CLIP_SECONDS);
    }

    const personaResult = done.get('persona');
    expect(personaResult).toEqual({ persona_id: submitted.get('persona'), name: 'Rail voice', description: 'bright', root_clip_id: clip.id });
    const withPersona = await post(simulator, { ...create, personaId: personaResult.persona_id });
    expect(withPersona.status).toBe(200);
    await pollTask(simulator, withPersona.body.data);
  });

  it('extends and covers a clip, keeping its title and tags unless told', async () => {
    const clip = song.result[1];
    const extend = await post(simulator, { task: 'extend', model: 'v50', clipId: clip.id, continueAt: 2, prompt: 'the train arrives' });
    expect(extend.status).toBe(200);
    const cover = await post(simulator, { task: 'cover', model: 'v45+', clipId: clip.id, tags: 'jazz' });
    expect((await post(simulator, { task: 'extend', model: 'v50', clipId: clip.id, continueAt: 99 })).body.msg).toMatch(/^continueAt: /);
    const extended = (await pollTask(simulator, extend.body.data)).done;
    expect(extended.taskType).toBe('extend');
    for (const made of extended.result) {
      expect(made).toMatchObject({ title: clip.title, metadata: { tags: clip.metadata.tags }, model_name: 'chirp-v50', major_model_version: 'v5' });
    }
    const covered = (await pollTask(simulator, cover.body.data)).done;
    for (const made of covered.result) expect(made).toMatchObject({ title: clip.title, metadata: { tags: 'jazz' }, major_model_version: 'v4.5+' });
    expect((await download(covered.result[0].audio_url)).contentType).toBe('audio/mpeg');
  });

  it('refuses a prompt naming an artist with 451, unpaid', async () => {
    const before = simulator.ledger.length;
    const refused = await post(simulator, { ...create, prompt: 'A breakup song like Taylor Swift would write' });
    expect(refused.status).toBe(451);
    expect(refused.body.code).toBe(451);
    expect(refused.body.msg).toMatch(/^artist name not allowed/);
    expect(refused.body.msg).toContain('prompt');
    const inTags = await post(simulator, { ...create, customMode: true, prompt: 'la la', title: 'T', tags: 'hip hop, Drake' });
    expect(inTags.status).toBe(451);
    // A word that merely contains a name is fine.
    const fine = await post(simulator, { ...create, prompt: 'a song about a drakestail duck' });
    expect(fine.status).toBe(200);
    expect(simulator.ledger).toHaveLength(before + 1);
    // Closing while media is still rendering races the removal of the media dir.
    await pollTask(simulator, fine.body.data);
  });

  it('keeps a ledger of exactly the accepted submits', () => {
    expect(simulator.ledger.every((entry) => entry.route === 'POST /api/cqt/generator/suno')).toBe(true);
    expect(simulator.ledger.map((entry) => (entry.body as { task: string }).task)).toEqual([
      'create',
      'create',
      'lyrics',
      'gen_stem_two',
      'gen_stem_all',
      'wav',
      'mp4',
      'timeline',
      'persona',
      'create',
      'extend',
      'cover',
      'create',
    ]);
  });
});

describe('simulator (cqt dialect) billing', () => {
  it('refuses a submit the credits cannot pay for with 402, unpaid', async () => {
    const broke = await startSimulator({ apiKey: API_KEY, credits: 0 });
    try {
      const refused = await post(broke, { task: 'lyrics', prompt: 'rent day' });
      expect(refused.status).toBe(402);
      expect(refused.body).toEqual({ code: 402, msg: 'insufficient credits', data: null });
      expect(broke.ledger).toHaveLength(0);
    } finally {
      await broke.close();
    }
  });
});

describe('simulator (cqt dialect) task limit', () => {
  it('answers 429 "Task limit reached" while too many tasks are unfinished, and accepts again after', async () => {
    const simulator = await startSimulator({ apiKey: API_KEY, stageDelaysMs: STAGE_DELAYS, clipSeconds: 1, taskLimit: 2 });
    try {
      const first: string = (await post(simulator, create)).body.data;
      expect((await post(simulator, { task: 'lyrics', prompt: 'rain' })).status).toBe(200);
      const refused = await post(simulator, create);
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ code: 429, msg: 'Task limit reached', data: null });
      expect(simulator.ledger).toHaveLength(2);

      await pollTask(simulator, first);
      const again = await post(simulator, create);
      expect(again.status).toBe(200);
      expect(simulator.ledger).toHaveLength(3);
      // Closing while media is still rendering races the removal of the media dir.
      await pollTask(simulator, again.body.data);
    } finally {
      await simulator.close();
    }
  });
});

describe('simulator (cqt dialect) across a restart', () => {
  it('answers songs and work on their clips from before a restart, and finds their clips again', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'simulator-cqt-state-'));
    const start = () => startSimulator({ apiKey: API_KEY, stateDir, seed: 'restart', clipSeconds: 1, stageDelaysMs: { text: 0, first: 0, complete: 0 } });
    try {
      const first = await start();
      const songId: string = (await post(first, create)).body.data;
      const clipId: string = (await pollTask(first, songId)).done.result[0].id;
      const wavId: string = (await post(first, { task: 'wav', clipId })).body.data;
      const personaId: string = (await post(first, { task: 'persona', clipId, name: 'Voice' })).body.data;
      const wavBefore = (await pollTask(first, wavId)).done;
      await pollTask(first, personaId);
      await first.close();

      const second = await start();
      try {
        // The same answer, but for the host: the second run listens on another port.
        const wavAfter = (await info(second, wavId)).body.data;
        const mediaName = (url: string) => new URL(url).pathname;
        expect({ ...wavAfter, result: { ...wavAfter.result, wav_url: mediaName(wavAfter.result.wav_url) } }).toEqual({
          ...wavBefore,
          result: { ...wavBefore.result, wav_url: mediaName(wavBefore.result.wav_url) },
        });
        expect((await download(wavAfter.result.wav_url)).contentType).toBe('audio/wav');
        // The restored song's clips can still be worked on, and the persona still sings.
        const stems: string = (await post(second, { task: 'gen_stem_two', clipId })).body.data;
        expect((await pollTask(second, stems)).done.result).toHaveLength(2);
        const withPersona = await post(second, { ...create, personaId });
        expect(withPersona.status).toBe(200);
        await pollTask(second, withPersona.body.data);
        expect(second.ledger.map((entry) => (entry.body as { task: string }).task)).toEqual(['create', 'wav', 'persona', 'gen_stem_two', 'create']);
      } finally {
        await second.close();
      }
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
