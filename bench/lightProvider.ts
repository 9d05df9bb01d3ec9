// A lightweight AnyInt-family provider for benchmarks at scale. The simulator renders real media
// with ffmpeg for every task, which starves a 2-core machine long before our worker does; this one
// answers submits, queries and webhooks from fixed durations and serves one small pre-rendered clip
// for every download, so what a benchmark measures is the client, not the provider. It records every
// request it receives (route, time, task id): the benchmark's figures come from this log alone.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { runFfmpeg } from '../runtime/ffmpeg';
import { benchNow } from './benchClock';

export type TaskKind = 'lyrics' | 'song';

/** What reached the provider: a submit, a query, a media download, or a webhook it sent out. */
export type RequestKind = 'submit' | 'query' | 'download' | 'webhook';

export interface RequestRecord {
  kind: RequestKind;
  route: string;
  /** Milliseconds since the epoch, when the request arrived (or the webhook was sent). */
  at: number;
  taskId: string | undefined;
}

export interface LightTask {
  id: string;
  kind: TaskKind;
  submittedAt: number;
  /** When the task finishes: submittedAt plus the kind's duration. */
  finishesAt: number;
  /** The submit's prompt (a song's prompt is its lyrics). */
  prompt: string;
  callbackUrl: string | undefined;
}

export interface LightProviderOptions {
  /** How long a lyrics task takes. */
  lyricsMs: number;
  /** How long a song task takes; its text and first-clip stages come at a third and two thirds. */
  songMs: number;
  apiKey?: string;
}

export interface LightProvider {
  url: string;
  apiKey: string;
  /** Length of the served clip, as every song's clips report it. */
  clipSeconds: number;
  /** Every request received so far, in arrival order. */
  log: RequestRecord[];
  tasks: Map<string, LightTask>;
  /** Webhooks the client answered with an error or never took: a benchmark whose hints are refused measures its fallback poll. */
  webhooksRefused: () => number;
  /** The lyrics text a finished lyrics task returns; it names the task, so a song's submit can be traced to its lyrics. */
  lyricsText(taskId: string): string;
  close(): Promise<void>;
}

export const LIGHT_CLIP_SECONDS = 3;

type Stage = 'PENDING' | 'TEXT_SUCCESS' | 'FIRST_SUCCESS' | 'SUCCESS';

export async function startLightProvider(options: LightProviderOptions): Promise<LightProvider> {
  const { lyricsMs, songMs } = options;
  if (!(lyricsMs >= 0 && songMs >= 0)) throw new Error(`lyricsMs and songMs must be non-negative, got ${lyricsMs} and ${songMs}`);
  const apiKey = options.apiKey ?? 'light-provider-key';

  // One clip rendered once: every download serves these bytes, whatever task it names.
  const scratch = await mkdtemp(path.join(tmpdir(), 'light-provider-'));
  const mp3File = path.join(scratch, 'clip.mp3');
  await runFfmpeg(['-y', '-f', 'lavfi', '-i', `sine=frequency=330:duration=${LIGHT_CLIP_SECONDS}`, '-ac', '2', '-codec:a', 'libmp3lame', '-b:a', '64k', mp3File]);
  const mp3 = await readFile(mp3File);
  await rm(scratch, { recursive: true, force: true });

  const log: RequestRecord[] = [];
  const tasks = new Map<string, LightTask>();
  const timers = new Set<NodeJS.Timeout>();
  let nextId = 1;
  let webhooksRefused = 0;
  let base = '';
  const record = (kind: RequestKind, route: string, taskId: string | undefined) => log.push({ kind, route, at: benchNow(), taskId });
  const lyricsText = (taskId: string) => `[Verse]\nbench words of ${taskId}\n[Chorus]\nla la la`;

  const stageOf = (task: LightTask, now: number): Stage => {
    const elapsed = now - task.submittedAt;
    const total = task.finishesAt - task.submittedAt;
    if (elapsed >= total) return 'SUCCESS';
    if (task.kind === 'lyrics') return 'PENDING';
    if (elapsed >= (total * 2) / 3) return 'FIRST_SUCCESS';
    if (elapsed >= total / 3) return 'TEXT_SUCCESS';
    return 'PENDING';
  };

  const clips = (task: LightTask, stage: Stage) =>
    [0, 1].map((i) => {
      const ready = stage === 'SUCCESS' || (stage === 'FIRST_SUCCESS' && i === 0);
      const audioUrl = ready ? `${base}/media/${task.id}/clip${i}.mp3` : '';
      return { id: `${task.id}-clip${i}`, audioUrl, streamAudioUrl: audioUrl, imageUrl: '', prompt: task.prompt, title: 'Bench Song', tags: 'bench', duration: ready ? LIGHT_CLIP_SECONDS : null };
    });

  const songQuery = (task: LightTask, stage: Stage) => ({ taskId: task.id, status: stage, errorMessage: null, response: { taskId: task.id, sunoData: clips(task, stage) } });
  const lyricsQuery = (task: LightTask, stage: Stage) => ({
    taskId: task.id,
    status: stage === 'SUCCESS' ? 'SUCCESS' : 'PENDING',
    errorMessage: null,
    response: { taskId: task.id, data: stage === 'SUCCESS' ? [{ text: lyricsText(task.id), title: 'Bench Song', status: 'complete', errorMessage: '' }] : [] },
  });

  const sendWebhook = (task: LightTask, callbackType: 'text' | 'first' | 'complete') => {
    if (!task.callbackUrl || !task.callbackUrl.startsWith('http://')) return; // our polling-only runs name an .invalid host
    const data =
      task.kind === 'lyrics'
        ? [{ text: lyricsText(task.id), title: 'Bench Song', status: 'complete', error_message: '' }]
        : clips(task, callbackType === 'complete' ? 'SUCCESS' : callbackType === 'first' ? 'FIRST_SUCCESS' : 'TEXT_SUCCESS').map((c) => ({
            id: c.id,
            audio_url: c.audioUrl,
            stream_audio_url: c.streamAudioUrl,
            image_url: c.imageUrl,
            prompt: c.prompt,
            title: c.title,
            tags: c.tags,
            duration: c.duration,
          }));
    record('webhook', `webhook ${callbackType}`, task.id);
    void fetch(task.callbackUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 200, msg: 'success', data: { callbackType, task_id: task.id, data } }),
      signal: AbortSignal.timeout(15_000),
    })
      .then((response) => {
        if (!response.ok) webhooksRefused++;
        return response.body?.cancel();
      })
      .catch(() => webhooksRefused++); // a lost webhook is what the client's fallback poll is for
  };

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const app = Fastify({ forceCloseConnections: true, bodyLimit: 1_000_000 });
  const authorized = (req: FastifyRequest) => req.headers.authorization === `Bearer ${apiKey}`;
  const refuse = (reply: FastifyReply) => reply.code(401).send({ code: 401, msg: 'bad key', data: null });

  const submit = (kind: TaskKind) => async (req: FastifyRequest, reply: FastifyReply) => {
    if (!authorized(req)) return refuse(reply);
    const body = (req.body ?? {}) as { prompt?: unknown; callBackUrl?: unknown };
    const id = `${kind}-${nextId++}`;
    const now = benchNow();
    const task: LightTask = {
      id,
      kind,
      submittedAt: now,
      finishesAt: now + (kind === 'lyrics' ? lyricsMs : songMs),
      prompt: typeof body.prompt === 'string' ? body.prompt : '',
      callbackUrl: typeof body.callBackUrl === 'string' ? body.callBackUrl : undefined,
    };
    tasks.set(id, task);
    record('submit', req.routeOptions.url ?? req.url, id);
    const total = task.finishesAt - now;
    if (kind === 'song') {
      later(total / 3, () => sendWebhook(task, 'text'));
      later((total * 2) / 3, () => sendWebhook(task, 'first'));
    }
    later(total, () => sendWebhook(task, 'complete'));
    return { code: 200, msg: 'success', data: { taskId: id } };
  };

  const query = (kind: TaskKind) => async (req: FastifyRequest, reply: FastifyReply) => {
    if (!authorized(req)) return refuse(reply);
    const taskId = (req.query as { taskId?: string }).taskId;
    record('query', req.routeOptions.url ?? req.url, taskId);
    const task = taskId === undefined ? undefined : tasks.get(taskId);
    if (!task || task.kind !== kind) return reply.code(400).send({ code: 400, msg: 'task not found', data: null });
    const stage = stageOf(task, benchNow());
    return { code: 200, msg: 'success', data: kind === 'lyrics' ? lyricsQuery(task, stage) : songQuery(task, stage) };
  };

  app.post('/suno/generate-lyrics', submit('lyrics'));
  app.post('/suno/generate', submit('song'));
  app.get('/suno/query/lyrics', query('lyrics'));
  app.get('/suno/query/task', query('song'));
  app.get('/media/:taskId/:file', async (req, reply) => {
    record('download', '/media', (req.params as { taskId: string }).taskId);
    return reply.type('audio/mpeg').send(mp3);
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  return {
    url: base,
    apiKey,
    clipSeconds: LIGHT_CLIP_SECONDS,
    log,
    tasks,
    webhooksRefused: () => webhooksRefused,
    lyricsText,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await app.close();
    },
  };
}
