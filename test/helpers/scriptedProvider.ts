// A tiny AnyInt-speaking HTTP server whose tasks finish only when a test says so. Workflow tests
// run on the time-skipping server, where wall-clock stage delays (the simulator's) mean nothing; here
// each task's status is under the test's control, and every request is recorded.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { runFfmpeg } from '../../runtime/ffmpeg';
import { renderCoverPng } from '../../simulator/coverArt';

export interface ScriptedTask {
  taskId: string;
  route: string;
  body: Record<string, unknown>;
  status: 'PENDING' | 'TEXT_SUCCESS' | 'FIRST_SUCCESS' | 'SUCCESS' | 'GENERATE_AUDIO_FAILED';
  queries: number;
}

/** Routes of the AnyInt post-song task families, with the query route that reads each. */
const POST_SONG_QUERIES: Record<string, string> = {
  'vocal-removal': 'vocal-removal',
  'wav-generate': 'wav',
  'mp4-generate': 'mp4',
  'generate-cover': 'cover',
};

/** How the provider treats the next submits: refuse with a rate limit, or accept and never answer. */
export type SubmitFault = 'throttle' | 'hang';

export interface ScriptedProvider {
  url: string;
  apiKey: string;
  tasks: ScriptedTask[];
  /** Submit requests received, including refused ones. */
  submitRequests: number;
  /** Faults applied to the next submits, in order; submits beyond the list are accepted normally. */
  faults: SubmitFault[];
  /** Personas made (each answered in the submit itself, so not among `tasks`), in order. */
  personas: string[];
  /** Faults applied to the next persona submits ('hang': made, answer lost). */
  personaFaults: SubmitFault[];
  /** The most tasks that were unfinished at once, counted at each submit. */
  maxUnfinished: number;
  /** Resolves once `count` tasks have been submitted. */
  waitForSubmits(count: number): Promise<ScriptedTask[]>;
  setStatus(taskId: string, status: ScriptedTask['status']): void;
  close(): Promise<void>;
}

export const CLIP_SECONDS = 3;

export async function startScriptedProvider(): Promise<ScriptedProvider> {
  const mediaDir = await mkdtemp(path.join(tmpdir(), 'scripted-provider-'));
  const mp3 = path.join(mediaDir, 'clip.mp3');
  await runFfmpeg(['-y', '-f', 'lavfi', '-i', `sine=frequency=440:duration=${CLIP_SECONDS}`, '-ac', '2', '-codec:a', 'libmp3lame', '-b:a', '64k', mp3]);
  const mp3Bytes = await readFile(mp3);
  const wav = path.join(mediaDir, 'clip.wav');
  await runFfmpeg(['-y', '-f', 'lavfi', '-i', `sine=frequency=440:duration=${CLIP_SECONDS}`, '-ac', '2', '-codec:a', 'pcm_s16le', wav]);
  const wavBytes = await readFile(wav);
  const png = await renderCoverPng('scripted', 64);

  const apiKey = 'scripted-key';
  const tasks: ScriptedTask[] = [];
  const waiters: { count: number; resolve: (t: ScriptedTask[]) => void }[] = [];
  const provider: ScriptedProvider = {
    url: '',
    apiKey,
    tasks,
    submitRequests: 0,
    faults: [],
    personas: [],
    personaFaults: [],
    maxUnfinished: 0,
    waitForSubmits(count) {
      if (tasks.length >= count) return Promise.resolve([...tasks]);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    setStatus(taskId, status) {
      const task = tasks.find((t) => t.taskId === taskId);
      if (!task) throw new Error(`no task ${taskId}`);
      task.status = status;
    },
    close: () => app.close(),
  };
  // Force-closing lets close() end connections held open by 'hang'.
  const app = Fastify({ forceCloseConnections: true });
  let base = '';

  const authorized = (header: string | undefined) => header === `Bearer ${apiKey}`;

  const submit = (route: string) => async (req: { headers: { authorization?: string }; body: unknown }, reply: { code(n: number): { send(b: unknown): unknown }; header(k: string, v: string): unknown }) => {
    if (!authorized(req.headers.authorization)) return reply.code(401).send({ code: 401, msg: 'bad key' });
    provider.submitRequests++;
    const fault = provider.faults.shift();
    if (fault === 'throttle') {
      reply.header('retry-after', '1');
      return reply.code(430).send({ code: 430, msg: 'request rate too high' });
    }
    const task: ScriptedTask = { taskId: `task${tasks.length + 1}`, route, body: req.body as Record<string, unknown>, status: 'PENDING', queries: 0 };
    tasks.push(task);
    provider.maxUnfinished = Math.max(provider.maxUnfinished, tasks.filter((t) => t.status === 'PENDING').length);
    for (const w of waiters.filter((w) => tasks.length >= w.count)) w.resolve([...tasks]);
    // The task exists (and is paid for), but the answer never comes back.
    if (fault === 'hang') return new Promise(() => {});
    return { code: 200, msg: 'success', data: { taskId: task.taskId } };
  };
  app.post('/suno/generate', submit('generate'));
  app.post('/suno/generate-lyrics', submit('generate-lyrics'));
  for (const route of Object.keys(POST_SONG_QUERIES)) app.post(`/suno/${route}`, submit(route));
  // The family answers these two at once, with no task to wait for.
  app.post('/suno/generate-persona', async (req) => {
    const personaId = `persona-${(req.body as { audioId: string }).audioId}`;
    provider.personas.push(personaId);
    // The persona exists (and is paid for), but the answer never comes back.
    if (provider.personaFaults.shift() === 'hang') return new Promise(() => {});
    return { code: 200, msg: 'success', data: { personaId, name: 'n', description: 'd' } };
  });
  app.post('/suno/timestamped-lyrics', async () => ({
    code: 200,
    msg: 'success',
    data: { alignedWords: [{ word: '[Verse]\nscripted', success: true, startS: 0.5, endS: 1, palign: 0 }, { word: 'words', success: true, startS: 1.2, endS: 2, palign: 0 }] },
  }));

  const clip = (task: ScriptedTask, i: number) => {
    const ready = task.status === 'SUCCESS' || (task.status === 'FIRST_SUCCESS' && i === 0);
    return {
      id: `${task.taskId}-clip${i}`,
      audioUrl: ready ? `${base}/media/clip.mp3` : '',
      streamAudioUrl: ready ? `${base}/media/clip.mp3` : '',
      imageUrl: `${base}/media/cover.png`,
      prompt: typeof task.body.prompt === 'string' ? task.body.prompt : '',
      title: typeof task.body.title === 'string' ? task.body.title : 'Scripted',
      tags: 'test',
      duration: ready ? CLIP_SECONDS : null,
    };
  };
  const query = (req: { headers: { authorization?: string }; query: unknown }, reply: { code(n: number): { send(b: unknown): unknown } }) => {
    if (!authorized(req.headers.authorization)) return reply.code(401).send({ code: 401, msg: 'bad key' });
    const task = tasks.find((t) => t.taskId === (req.query as { taskId?: string }).taskId);
    if (!task) return { code: 400, msg: 'task not found' };
    task.queries++;
    const lyrics = task.route === 'generate-lyrics';
    const failed = task.status === 'GENERATE_AUDIO_FAILED';
    return {
      code: 200,
      msg: 'success',
      data: {
        taskId: task.taskId,
        status: task.status,
        errorMessage: failed ? 'scripted failure' : null,
        response: lyrics
          ? { data: task.status === 'SUCCESS' ? [{ text: '[Verse]\nscripted words', title: 'Scripted Song', status: 'complete' }] : [] }
          : { sunoData: [clip(task, 0), clip(task, 1)] },
      },
    };
  };
  app.get('/suno/query/task', query);
  app.get('/suno/query/lyrics', query);
  for (const [route, queryRoute] of Object.entries(POST_SONG_QUERIES)) {
    app.get(`/suno/query/${queryRoute}`, (req, reply) => {
      if (!authorized(req.headers.authorization)) return reply.code(401).send({ code: 401, msg: 'bad key' });
      const task = tasks.find((t) => t.taskId === (req.query as { taskId?: string }).taskId && t.route === route);
      if (!task) return { code: 400, msg: 'task not found' };
      task.queries++;
      const done = task.status === 'SUCCESS';
      const files: Record<string, Record<string, unknown>> = {
        'vocal-removal': { vocalUrl: `${base}/media/clip.mp3`, instrumentalUrl: `${base}/media/clip.mp3` },
        'wav-generate': { audioWavUrl: `${base}/media/clip.wav` },
        'mp4-generate': { videoUrl: `${base}/media/missing.mp4` },
        'generate-cover': { images: [`${base}/media/cover.png`] },
      };
      const flag = task.status === 'GENERATE_AUDIO_FAILED' ? 'GENERATE_AUDIO_FAILED' : done ? 'SUCCESS' : 'PENDING';
      return { code: 200, msg: 'success', data: { taskId: task.taskId, successFlag: flag, response: done ? files[route] : null, errorMessage: task.status === 'GENERATE_AUDIO_FAILED' ? 'scripted failure' : null } };
    });
  }
  app.get('/media/clip.mp3', async (_req, reply) => reply.type('audio/mpeg').send(mp3Bytes));
  app.get('/media/clip.wav', async (_req, reply) => reply.type('audio/wav').send(wavBytes));
  app.get('/media/cover.png', async (_req, reply) => reply.type('image/png').send(png));

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  provider.url = base;
  return provider;
}
