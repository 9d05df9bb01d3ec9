// The NewAPI relay dialect ("Suno Music Format"): submit routes that answer a task id string,
// single and batch fetch routes that answer task objects, and an optional notify_hook. The relay
// may not forward notify_hook (polling is its main path); the simulator sends one callback, the
// finished task object, when a hook is given and callbacks are on. A continuation (task_id,
// continue_at, continue_clip_id on the music route) makes only the new part; /suno/submit/concat of
// the last part joins the chain back to the first song; /suno/uploads/audio-url makes the user's
// file a clip.

import type { FaultStatuses } from '../faults';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  canAffordSubmit,
  check,
  errorHttpStatus,
  findClip,
  guardRoutes,
  ownTask,
  recordPaidSubmit,
  type DialectContext,
} from '../dialects';
import { batchFetchRequest, concatRequest, lyricsRequest, musicRequest, uploadRequest, type MusicRequest } from './requests';
import { wholeSong } from '../clipAudio';
import { extensionContent, joinContent, sourceSound, uploadContent } from '../transforms';
import { errorCodeFor, errorEnvelope, lyricsTaskObject, musicTaskObject, successEnvelope } from './results';
import { prepareSongMedia, songProgressAt } from '../songProgress';
import {
  asLyricsTask,
  asSongTask,
  lyricsContent,
  songContent,
  type SongContent,
  type SongInput,
  type TaskContent,
} from '../taskContent';
import { lyricsTimeline, songTimeline, type NewTask, type SimulatedTask, type StageName } from '../taskStore';

const DIALECT = 'newapi';
const MUSIC_ROUTE = 'POST /suno/submit/music';
const LYRICS_ROUTE = 'POST /suno/submit/lyrics';
const UPLOAD_ROUTE = 'POST /suno/uploads/audio-url';
const CONCAT_ROUTE = 'POST /suno/submit/concat';
/** The document's default model. */
const DEFAULT_MODEL = 'chirp-v3-0';
/** The relay refuses a task the user's quota cannot pay for with 403, not 402. */
const QUOTA_REFUSAL = 'user quota is not enough';

/** The inspiration text a MUSIC task was asked with, read back from the saved request. */
function descriptionOf(request: unknown): string | null {
  const value = (request as { gpt_description_prompt?: unknown } | null)?.gpt_description_prompt;
  return typeof value === 'string' && value.trim() ? value : null;
}

function songInput(body: MusicRequest, continued: SongContent | undefined): SongInput {
  const instrumental = body.make_instrumental ?? false;
  if (continued) {
    // A continuation keeps the source's identity unless the body overrides it.
    const source = continued.clips[0];
    return {
      lyrics: body.prompt?.trim() ? body.prompt : undefined,
      description: source?.title,
      title: body.title?.trim() ? body.title : source?.title,
      style: body.tags?.trim() ? body.tags : source?.tags,
      instrumental: body.make_instrumental ?? continued.instrumental,
      model: body.mv ?? continued.model,
    };
  }
  const model = body.mv ?? DEFAULT_MODEL;
  if (body.gpt_description_prompt?.trim()) return { description: body.gpt_description_prompt, instrumental, model };
  return { lyrics: body.prompt, title: body.title, style: body.tags, instrumental, model };
}

// The relay answers 403 when the quota cannot pay; the rest are the usual statuses.
const FAULT_STATUSES: FaultStatuses = { throttled: 429, unavailable: 503, rejected: 400, auth: 401, billing: 403 };

export function newapiDialect(context: DialectContext) {
  const { store, media, callbacks, options, log } = context;

  const reject = (reply: FastifyReply, status: number, message: string): FastifyReply =>
    reply.code(errorHttpStatus(context, status)).send(errorEnvelope(errorCodeFor(status), message));

  /** The task object as a fetch would answer it now. */
  async function taskObject(task: SimulatedTask<TaskContent>, stage = store.stageOf(task)) {
    const song = asSongTask(task);
    if (song) {
      const progress = await songProgressAt(song.content, stage, media, context.mediaUrl);
      return musicTaskObject(song, progress, descriptionOf(song.request));
    }
    const lyrics = asLyricsTask(task);
    return lyrics ? lyricsTaskObject(lyrics, stage === 'complete') : undefined;
  }

  function pushWhenDone(task: SimulatedTask<TaskContent>, stage: StageName): void {
    if (stage !== 'complete' || !task.callbackUrl) return;
    const url = task.callbackUrl;
    taskObject(task, stage)
      .then((body) => callbacks.send(url, body, `complete ${task.id}`))
      .catch((error: unknown) => log(`callback complete ${task.id}: ${String(error)}`));
  }

  /** Creates a paid song task, starts rendering its media and records it in the ledger. */
  function createPaid(
    route: string,
    request: unknown,
    callbackUrl: string | undefined,
    timeline: NewTask<TaskContent>['timeline'],
    content: NewTask<TaskContent>['content'],
  ): SimulatedTask<TaskContent> {
    const task = store.create({
      dialect: DIALECT,
      route,
      request,
      callbackUrl,
      timeline,
      content,
      onStage: options.sendCallbacks ? pushWhenDone : undefined,
    });
    const song = asSongTask(task);
    if (song) prepareSongMedia(song.content, media, log);
    recordPaidSubmit(context, task);
    return task;
  }

  return async function newapiRoutes(app: FastifyInstance): Promise<void> {
    guardRoutes(app, context, DIALECT, reject, FAULT_STATUSES);

    app.post('/suno/submit/music', async (request, reply) => {
      const checked = check(musicRequest, request.body);
      if (!checked.ok) return reject(reply, 400, checked.message);
      const body = checked.value;
      let content: NewTask<TaskContent>['content'] = (taskId) => songContent(taskId, songInput(body, undefined));
      if (body.task_id) {
        const source = ownTask(context, DIALECT, body.task_id);
        const song = source && asSongTask(source);
        if (!song) return reject(reply, 400, `task_id: no music task ${body.task_id}`);
        const clip = song.content.clips.find((candidate) => candidate.id === body.continue_clip_id);
        if (!clip) return reject(reply, 400, `continue_clip_id: not a clip of task ${body.task_id}`);
        if (store.stageOf(song) !== 'complete') return reject(reply, 400, `task_id: task ${body.task_id} is not finished`);
        const length = await media.secondsOf(clip);
        const continueAt = body.continue_at ?? 0;
        if (continueAt > length) return reject(reply, 400, `continue_at: beyond the clip's ${Math.round(length * 100) / 100} s`);
        // The new clips hold only the new material; a concat of the last one makes the whole song.
        const input = songInput(body, song.content);
        const sound = sourceSound(clip, options.clipSeconds);
        content = (taskId) => extensionContent(taskId, input, sound, continueAt, 'part', options.clipSeconds);
      }
      if (!canAffordSubmit(context)) return reject(reply, 403, QUOTA_REFUSAL);
      const task = createPaid(MUSIC_ROUTE, request.body, body.notify_hook, songTimeline(options.stageDelaysMs), content);
      return successEnvelope(task.id);
    });

    app.post('/suno/uploads/audio-url', async (request, reply) => {
      const checked = check(uploadRequest, request.body);
      if (!checked.ok) return reject(reply, 400, checked.message);
      if (!canAffordSubmit(context)) return reject(reply, 403, QUOTA_REFUSAL);
      const { url } = checked.value;
      const input: SongInput = { description: 'uploaded audio', title: 'Uploaded audio', style: 'upload', instrumental: true, model: DEFAULT_MODEL };
      // A quick job: done when a song's text stage would be.
      const task = createPaid(UPLOAD_ROUTE, request.body, undefined, lyricsTimeline(options.stageDelaysMs), (taskId) =>
        uploadContent(taskId, input, url),
      );
      return successEnvelope(task.id);
    });

    app.post('/suno/submit/concat', async (request, reply) => {
      const checked = check(concatRequest, request.body);
      if (!checked.ok) return reject(reply, 400, checked.message);
      const found = findClip(context, DIALECT, checked.value.clip_id, (task) => asSongTask(task) !== undefined);
      if (!found) return reject(reply, 400, `clip_id: no clip ${checked.value.clip_id}`);
      if (store.stageOf(found.song) !== 'complete') return reject(reply, 400, `clip_id: clip ${checked.value.clip_id} is not finished`);
      if (!canAffordSubmit(context)) return reject(reply, 403, QUOTA_REFUSAL);
      const { clip, song } = found;
      const input: SongInput = {
        lyrics: clip.lyrics || undefined,
        title: clip.title,
        style: clip.tags,
        instrumental: song.content.instrumental,
        model: song.content.model,
      };
      const whole = wholeSong(sourceSound(clip, options.clipSeconds));
      const task = createPaid(CONCAT_ROUTE, request.body, undefined, songTimeline(options.stageDelaysMs), (taskId) =>
        joinContent(taskId, input, [whole]),
      );
      return successEnvelope(task.id);
    });

    app.post('/suno/submit/lyrics', async (request, reply) => {
      const checked = check(lyricsRequest, request.body);
      if (!checked.ok) return reject(reply, 400, checked.message);
      if (!canAffordSubmit(context)) return reject(reply, 403, QUOTA_REFUSAL);
      const body = checked.value;
      const task = store.create({
        dialect: DIALECT,
        route: LYRICS_ROUTE,
        request: request.body,
        callbackUrl: body.notify_hook,
        timeline: lyricsTimeline(options.stageDelaysMs),
        content: (taskId) => lyricsContent(taskId, body.prompt),
        onStage: options.sendCallbacks ? pushWhenDone : undefined,
      });
      recordPaidSubmit(context, task);
      return successEnvelope(task.id);
    });

    app.get<{ Params: { id: string } }>('/suno/fetch/:id', async (request, reply) => {
      const task = ownTask(context, DIALECT, request.params.id);
      const answer = task && (await taskObject(task));
      // The relay's answer to an id it never issued.
      if (!answer) return reply.code(errorHttpStatus(context, 400)).send(errorEnvelope('task_not_exist', 'task_not_exist'));
      return successEnvelope(answer);
    });

    app.post('/suno/fetch', async (request, reply) => {
      const checked = check(batchFetchRequest, request.body);
      if (!checked.ok) return reject(reply, 400, checked.message);
      const { ids, action } = checked.value;
      // Ids the relay does not know (or of another action) are left out, not reported.
      const answers = await Promise.all(
        [...new Set(ids)].map(async (id) => {
          const task = ownTask(context, DIALECT, id);
          return task ? taskObject(task) : undefined;
        }),
      );
      return successEnvelope(answers.filter((answer) => answer !== undefined && (!action || answer.action === action)));
    });
  };
}
