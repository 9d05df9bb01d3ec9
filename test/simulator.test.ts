// The simulator is the peer of every integration test, so it is tested against the AnyInt
// contract itself: auth, validation, the stage timeline, real media, webhooks, the ledger,
// byte-for-byte determinism, tasks kept across restarts and callback tokens kept out of logs.

import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../simulator/index';
import { logSafeUrl, withoutUrlSecrets } from '../simulator/logSafeUrl';
import {
  download,
  downloadMedia,
  sha256,
  simulatorHttp,
  startReceiver,
  waitForWith,
  type Envelope,
  type Receiver,
} from './helpers/simulatorHttp';

const API_KEY = 'test-key';
const CLIP_SECONDS = 4;
// Each stage lasts long enough that a query lands in it even when the first query renders media on a busy machine.
const STAGE_DELAYS = { text: 500, first: 1000, complete: 1500 };

const { start: startWithDefaults, post, get } = simulatorHttp<Envelope>({ apiKey: API_KEY, clipSeconds: CLIP_SECONDS, stageDelaysMs: STAGE_DELAYS });
const waitFor = waitForWith(5000);

function songRequest(callBackUrl: string) {
  return {
    customMode: false,
    instrumental: false,
    model: 'V5',
    prompt: 'A bright summer pop song about travel and freedom',
    callBackUrl,
  };
}

/** Polls a song task to SUCCESS, keeping the first snapshot seen at each status. */
async function pollSong(simulator: RunningSimulator, taskId: string) {
  const seen = new Map<string, any>();
  const order: string[] = [];
  await waitFor('song SUCCESS', async () => {
    const { body } = await get(simulator, `/suno/query/task?taskId=${taskId}`);
    const status: string = body.data.status;
    if (!seen.has(status)) {
      seen.set(status, body.data);
      order.push(status);
    }
    return status === 'SUCCESS' ? true : undefined;
  });
  return { seen, order };
}

describe('simulator (AnyInt dialect)', () => {
  let simulator: RunningSimulator;
  let receiver: Receiver;
  let scratch: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    scratch = await mkdtemp(join(tmpdir(), 'simulator-test-'));
    simulator = await startWithDefaults({ seed: 'test-seed', callbackDelivery: { retryDelayMs: 50 } });
  });

  afterAll(async () => {
    await simulator?.close();
    await receiver?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('answers 401 without the right Bearer token', async () => {
    const noToken = await post(simulator, '/suno/generate', songRequest(receiver.url), {
      authorization: '',
      'content-type': 'application/json',
    });
    expect(noToken.status).toBe(401);
    expect(noToken.body.code).toBe(401);

    const wrongToken = await fetch(`${simulator.url}/suno/query/task?taskId=x`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrongToken.status).toBe(401);
    expect(((await wrongToken.json()) as Envelope).code).toBe(401);
  });

  it('rejects a bad generate body naming the field', async () => {
    const { callBackUrl: _omitted, ...withoutCallback } = songRequest(receiver.url);
    const missing = await post(simulator, '/suno/generate', withoutCallback);
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe(400);
    expect(missing.body.msg).toMatch(/^callBackUrl: /);

    const customWithoutStyle = await post(simulator, '/suno/generate', {
      ...songRequest(receiver.url),
      customMode: true,
      title: 'Roads',
    });
    expect(customWithoutStyle.body.code).toBe(400);
    expect(customWithoutStyle.body.msg).toMatch(/^style: /);

    const tooLong = await post(simulator, '/suno/generate', { ...songRequest(receiver.url), prompt: 'x'.repeat(501) });
    expect(tooLong.body.code).toBe(413);
    expect(tooLong.body.msg).toMatch(/text too long/);

    const unknown = await get(simulator, '/suno/query/task?taskId=0123456789abcdef0123456789abcdef');
    expect(unknown.body).toMatchObject({ code: 400, msg: 'task not found' });
  });

  it('runs a song through every stage, with real media and a webhook per stage', async () => {
    const submit = await post(simulator, '/suno/generate', songRequest(`${receiver.url}/song`));
    expect(submit.body.code).toBe(200);
    const taskId: string = submit.body.data.taskId;
    expect(taskId).toMatch(/^[0-9a-f]{32}$/);

    const { seen, order } = await pollSong(simulator, taskId);
    expect(order).toEqual(['PENDING', 'TEXT_SUCCESS', 'FIRST_SUCCESS', 'SUCCESS']);

    const textClips = seen.get('TEXT_SUCCESS').response.sunoData;
    expect(textClips).toHaveLength(2);
    for (const clip of textClips) expect(clip).toMatchObject({ audioUrl: '', duration: null });

    const [firstReady, firstPending] = seen.get('FIRST_SUCCESS').response.sunoData;
    expect(firstReady.audioUrl).not.toBe('');
    expect(firstReady.streamAudioUrl).not.toBe('');
    expect(firstPending).toMatchObject({ audioUrl: '', duration: null });

    const done = seen.get('SUCCESS');
    expect(done).toMatchObject({ taskId, parentMusicId: '', operationType: 'generate', errorCode: null });
    expect(JSON.parse(done.param)).toEqual(songRequest(`${receiver.url}/song`));
    const clips = done.response.sunoData;
    expect(clips).toHaveLength(2);
    for (const [index, clip] of clips.entries()) {
      expect(Math.abs(clip.duration - CLIP_SECONDS)).toBeLessThanOrEqual(0.5);

      const audio = await downloadMedia(clip.audioUrl, join(scratch, `clip-${index}.mp3`));
      expect(audio.contentType).toBe('audio/mpeg');
      const { probe } = audio;
      expect(probe.streams.map((stream) => stream.codecName)).toContain('mp3');
      expect(Math.abs(probe.durationSeconds - CLIP_SECONDS)).toBeLessThanOrEqual(0.5);

      const image = await download(clip.imageUrl);
      expect(image.contentType).toBe('image/png');
      expect(image.bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    }

    const callbacks = await waitFor('three song callbacks', () => {
      const mine = receiver.received.filter((callback) => callback.path === '/song');
      return mine.length >= 3 ? mine : undefined;
    });
    expect(callbacks.map((callback) => callback.body.data.callbackType).sort()).toEqual(['complete', 'first', 'text']);
    for (const callback of callbacks) {
      expect(callback.body.code).toBe(200);
      expect(callback.body.data.task_id).toBe(taskId);
    }
    const complete = callbacks.find((callback) => callback.body.data.callbackType === 'complete')!;
    expect(complete.body.msg).toBe('All generated successfully.');
    expect(complete.body.data.data.map((clip: any) => clip.audio_url)).toEqual(clips.map((clip: any) => clip.audioUrl));
  });

  it('completes a lyrics task with text, by query and by webhook', async () => {
    const submit = await post(simulator, '/suno/generate-lyrics', {
      prompt: 'A song about a peaceful night in the city',
      callBackUrl: `${receiver.url}/lyrics`,
    });
    expect(submit.body.code).toBe(200);
    const taskId: string = submit.body.data.taskId;

    const pending = await get(simulator, `/suno/query/lyrics?taskId=${taskId}`);
    expect(pending.body.data.status).toBe('PENDING');

    const done = await waitFor('lyrics SUCCESS', async () => {
      const { body } = await get(simulator, `/suno/query/lyrics?taskId=${taskId}`);
      return body.data.status === 'SUCCESS' ? body.data : undefined;
    });
    expect(done.type).toBe('LYRICS');
    expect(done.response.data).toHaveLength(2);
    for (const variant of done.response.data) {
      expect(variant.status).toBe('complete');
      expect(variant.text).toMatch(/\[Verse\][\s\S]*\[Chorus\]/);
      expect(variant.title.length).toBeGreaterThan(0);
    }

    const callback = await waitFor('lyrics callback', () =>
      receiver.received.find((received) => received.path === '/lyrics'),
    );
    expect(callback.body.data).toMatchObject({ callbackType: 'complete', task_id: taskId });
    expect(callback.body.data.data[0].text).toBe(done.response.data[0].text);
  });

  it('keeps a ledger of exactly the accepted submits', async () => {
    const routes = simulator.ledger.map((entry) => entry.route);
    expect(routes).toEqual(['POST /suno/generate', 'POST /suno/generate-lyrics']);

    const response = await fetch(`${simulator.url}/_sim/ledger`);
    expect(response.status).toBe(200);
    const overHttp = (await response.json()) as { count: number; entries: typeof simulator.ledger };
    expect(overHttp.count).toBe(2);
    expect(overHttp.entries.map((entry) => entry.taskId)).toEqual(simulator.ledger.map((entry) => entry.taskId));
  });
});

describe('simulator error status modes', () => {
  it("can answer errors with HTTP 200 and the code only in the envelope ('always-200')", async () => {
    const simulator = await startSimulator({ errorStatus: 'always-200', sendCallbacks: false });
    try {
      const bad = await post(simulator, '/suno/generate-lyrics', { callBackUrl: 'http://127.0.0.1:9/x' }, {
        authorization: 'Bearer sim-key',
        'content-type': 'application/json',
      });
      expect(bad.status).toBe(200);
      expect(bad.body).toMatchObject({ code: 400, msg: 'prompt: is required' });
      expect(simulator.ledger).toHaveLength(0);
    } finally {
      await simulator.close();
    }
  });
});

describe('simulator determinism', () => {
  it('gives byte-identical media for the same seed and requests', async () => {
    const run = async (seed: string) => {
      const simulator = await startSimulator({
        seed,
        stageDelaysMs: { text: 0, first: 0, complete: 0 },
        clipSeconds: 2,
        sendCallbacks: false,
      });
      try {
        const taskIds: string[] = [];
        const hashes: string[] = [];
        for (const prompt of ['first song', 'second song']) {
          const submit = await post(simulator, '/suno/generate', {
            ...songRequest('http://127.0.0.1:9/unused'),
            prompt,
          }, { authorization: 'Bearer sim-key', 'content-type': 'application/json' });
          taskIds.push(submit.body.data.taskId);
        }
        for (const taskId of taskIds) {
          const response = await fetch(`${simulator.url}/suno/query/task?taskId=${taskId}`, {
            headers: { authorization: 'Bearer sim-key' },
          });
          const body = (await response.json()) as Envelope;
          expect(body.data.status).toBe('SUCCESS');
          for (const clip of body.data.response.sunoData) {
            hashes.push(sha256((await download(clip.audioUrl)).bytes));
          }
        }
        return { taskIds, hashes };
      } finally {
        await simulator.close();
      }
    };

    const first = await run('same');
    const second = await run('same');
    expect(second.taskIds).toEqual(first.taskIds);
    expect(second.hashes).toEqual(first.hashes);
    expect(new Set(first.hashes).size).toBe(4);

    const other = await run('different');
    expect(other.taskIds).not.toEqual(first.taskIds);
    expect(other.hashes.some((hash) => first.hashes.includes(hash))).toBe(false);
  });
});

describe('simulator state dir', () => {
  const scratchDirs: string[] = [];
  const newStateDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'simulator-state-'));
    scratchDirs.push(dir);
    return dir;
  };
  const start = (stateDir: string, extra: Parameters<typeof startSimulator>[0] = {}) =>
    startSimulator({ apiKey: API_KEY, seed: 'restart', stateDir, stageDelaysMs: STAGE_DELAYS, clipSeconds: 2, ...extra });

  afterAll(async () => {
    for (const dir of scratchDirs) await rm(dir, { recursive: true, force: true });
  });

  it('answers tasks from before a restart, continues numbering and keeps the whole ledger', async () => {
    const stateDir = await newStateDir();
    const receiver = await startReceiver();
    try {
      const first = await start(stateDir, { callbackDelivery: { retryDelayMs: 50 } });
      expect(first.mediaDir).toBe(join(stateDir, 'media'));
      const songId: string = (await post(first, '/suno/generate', songRequest(`${receiver.url}/old`))).body.data.taskId;
      const lyricsId: string = (
        await post(first, '/suno/generate-lyrics', { prompt: 'rain on the harbour', callBackUrl: `${receiver.url}/old` })
      ).body.data.taskId;
      const { seen } = await pollSong(first, songId);
      const before = seen.get('SUCCESS');
      const audioBefore = sha256((await download(before.response.sunoData[0].audioUrl)).bytes);
      const lyricsBefore = await waitFor('lyrics SUCCESS', async () => {
        const { body } = await get(first, `/suno/query/lyrics?taskId=${lyricsId}`);
        return body.data.status === 'SUCCESS' ? body.data : undefined;
      });
      await waitFor('old callbacks', () => (receiver.received.length >= 4 ? true : undefined));
      await first.close();

      // The media dir is kept; empty it anyway to prove restored tasks re-render on demand.
      expect(existsSync(first.mediaDir)).toBe(true);
      await rm(first.mediaDir, { recursive: true, force: true });

      const second = await start(stateDir, { callbackDelivery: { retryDelayMs: 50 } });
      try {
        // Old enough to be complete at once, with the same content and (re-rendered) bytes.
        const song = await get(second, `/suno/query/task?taskId=${songId}`);
        expect(song.body.data.status).toBe('SUCCESS');
        const after = song.body.data.response.sunoData;
        expect(after.map((clip: any) => clip.id)).toEqual(before.response.sunoData.map((clip: any) => clip.id));
        expect(after.map((clip: any) => clip.title)).toEqual(before.response.sunoData.map((clip: any) => clip.title));
        expect(song.body.data.param).toBe(before.param);
        expect(song.body.data.response.sunoData[0].createTime).toBe(before.response.sunoData[0].createTime);
        expect(sha256((await download(after[0].audioUrl)).bytes)).toBe(audioBefore);
        expect((await download(after[1].imageUrl)).contentType).toBe('image/png');

        const lyrics = await get(second, `/suno/query/lyrics?taskId=${lyricsId}`);
        expect(lyrics.body.data).toMatchObject({ status: 'SUCCESS', response: lyricsBefore.response });

        // A restored task is still answered only by its own query route.
        expect((await get(second, `/suno/query/task?taskId=${lyricsId}`)).body.msg).toBe('task not found');

        const newId: string = (await post(second, '/suno/generate', songRequest(`${receiver.url}/new`))).body.data.taskId;
        expect([songId, lyricsId]).not.toContain(newId);
        expect(second.ledger.map((entry) => entry.taskId)).toEqual([songId, lyricsId, newId]);
        const overHttp = (await (await fetch(`${second.url}/_sim/ledger`)).json()) as { count: number };
        expect(overHttp.count).toBe(3);

        // The new task's webhooks flow; the restored tasks' were the first run's to send.
        await pollSong(second, newId);
        await waitFor('new callbacks', () =>
          receiver.received.filter((callback) => callback.path === '/new').length >= 3 ? true : undefined,
        );
        await new Promise((resolve) => setTimeout(resolve, STAGE_DELAYS.complete));
        expect(receiver.received.filter((callback) => callback.path === '/old')).toHaveLength(4);
      } finally {
        await second.close();
      }
    } finally {
      await receiver.close();
    }
  });

  it('skips a torn last line, and appends after it cleanly', async () => {
    const stateDir = await newStateDir();
    const lyricsRequest = { prompt: 'a quiet morning', callBackUrl: 'http://127.0.0.1:9/unused' };
    const submitLyrics = async (simulator: RunningSimulator) =>
      (await post(simulator, '/suno/generate-lyrics', lyricsRequest)).body.data.taskId as string;
    const lyricsStatus = async (simulator: RunningSimulator, taskId: string) =>
      (await get(simulator, `/suno/query/lyrics?taskId=${taskId}`)).body.data?.status;
    // Restored tasks keep their original schedule, so one submitted just before a restart may
    // still be pending for a moment.
    const lyricsDone = (simulator: RunningSimulator, taskId: string) =>
      waitFor(`lyrics ${taskId} SUCCESS`, async () => ((await lyricsStatus(simulator, taskId)) === 'SUCCESS' ? true : undefined));

    const first = await start(stateDir, { sendCallbacks: false });
    const oldId = await submitLyrics(first);
    await first.close();
    // What a crash in the middle of an append leaves behind.
    await appendFile(join(stateDir, 'tasks.jsonl'), '{"v":1,"dialect":"anyint","route":"POST /suno/gen');

    const lines: string[] = [];
    const second = await start(stateDir, { sendCallbacks: false, log: (line) => lines.push(line) });
    let newId: string;
    try {
      await lyricsDone(second, oldId);
      expect(lines.some((line) => line.includes('torn last line'))).toBe(true);
      newId = await submitLyrics(second);
      expect(newId).not.toBe(oldId);
    } finally {
      await second.close();
    }

    const third = await start(stateDir, { sendCallbacks: false });
    try {
      await lyricsDone(third, oldId);
      await lyricsDone(third, newId);
      expect(third.ledger.map((entry) => entry.taskId)).toEqual([oldId, newId]);
    } finally {
      await third.close();
    }
  });
});

describe('simulator callback logging', () => {
  it('logs where a callback went without the token in its URL', async () => {
    const token = 'v1.eyJ3b3JrZmxvd0lkIjoic29uZy0xIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
    const receiver = await startReceiver();
    const lines: string[] = [];
    const simulator = await startSimulator({
      apiKey: API_KEY,
      stageDelaysMs: STAGE_DELAYS,
      callbackDelivery: { attempts: 1 },
      log: (line) => lines.push(line),
    });
    try {
      const delivered = await submitLyricsTo(simulator, `${receiver.url}/callbacks/${token}`);
      const refused = await submitLyricsTo(simulator, `http://127.0.0.1:9/callbacks/${token}?sig=${token}`);
      const outcomeOf = (taskId: string) => lines.find((line) => line.startsWith(`callback complete ${taskId} `));
      await waitFor('both callback outcomes', () => (outcomeOf(delivered) && outcomeOf(refused) ? true : undefined));
      expect(receiver.received.map((callback) => callback.path)).toEqual([`/callbacks/${token}`]);
      expect(outcomeOf(delivered)).toBe(
        `callback complete ${delivered} -> ${receiver.url}/callbacks/…: delivered (HTTP 200, attempt 1)`,
      );
      expect(outcomeOf(refused)).toMatch(
        new RegExp(`^callback complete ${refused} -> http://127\\.0\\.0\\.1:9/callbacks/…: attempt 1/1 failed \\(.+\\), giving up$`),
      );
      for (const line of lines) expect(line).not.toContain(token);
    } finally {
      await simulator.close();
      await receiver.close();
    }
  });

  it('keeps only the origin and first path segment of a URL', () => {
    expect(logSafeUrl('http://127.0.0.1:8787/callbacks/abc.def')).toBe('http://127.0.0.1:8787/callbacks/…');
    expect(logSafeUrl('https://user:pw@hooks.example.com/in?key=secret')).toBe('https://hooks.example.com/in?…');
    expect(logSafeUrl('https://hooks.example.com/song')).toBe('https://hooks.example.com/song');
    expect(logSafeUrl('not a url')).toBe('<unparseable url>');
    const secretPath = 'http://h.example/callbacks/long-secret-token';
    expect(withoutUrlSecrets(`connect failed for /callbacks/long-secret-token`, secretPath)).not.toContain('long-secret-token');
  });
});

async function submitLyricsTo(simulator: RunningSimulator, callBackUrl: string): Promise<string> {
  const submit = await post(simulator, '/suno/generate-lyrics', { prompt: 'city lights at night', callBackUrl });
  expect(submit.body.code).toBe(200);
  return submit.body.data.taskId;
}
