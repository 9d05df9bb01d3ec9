// The AnyInt routes that work on a finished song: stems (vocal removal and split stems), WAV, music
// video, cover art, persona and timestamped lyrics, with their query routes and webhooks.
//
// Every such task is described by the route and request it was accepted with (both journaled),
// plus a copy of its source clip as content; the job it renders is worked out from those each
// time, so tasks restored after a restart answer and re-render exactly like fresh ones.

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import {
  coverRequest,
  mp4Request,
  personaRequest,
  splitStemRequest,
  timestampedLyricsRequest,
  vocalRemovalRequest,
  wavRequest,
} from './postSongRequests';
import {
  coverCallbackBody,
  coverQueryData,
  mp4CallbackBody,
  mp4QueryData,
  personaData,
  timestampedLyricsData,
  vocalRemovalCallbackBody,
  vocalRemovalQueryData,
  wavCallbackBody,
  wavQueryData,
  type PostSongOutcome,
} from './postSongResults';
import { check, taskQuery } from './requests';
import { successEnvelope } from './results';
import type { SimulatorContext } from '../context';
import { preparePostSong, renderPostSong, type PostSongJob, type PostSongMedia } from '../derivedMedia';
import { asSongTask, clipOf, workOnClips, type SongContent, type TaskContent } from '../taskContent';
import { immediateTimeline, postSongTimeline, type SimulatedTask, type StageName, type StageTime } from '../taskStore';
import { wordTimings } from '../wordTimings';

export const VOCAL_REMOVAL_ROUTE = 'POST /suno/vocal-removal';
export const SPLIT_STEM_ROUTE = 'POST /suno/split-stem';
export const WAV_ROUTE = 'POST /suno/wav-generate';
export const MP4_ROUTE = 'POST /suno/mp4-generate';
export const COVER_ROUTE = 'POST /suno/generate-cover';
export const PERSONA_ROUTE = 'POST /suno/generate-persona';
export const TIMESTAMPED_LYRICS_ROUTE = 'POST /suno/timestamped-lyrics';

/** The query route each family of task is read from: /suno/query/<family>. */
type Family = 'vocal-removal' | 'wav' | 'mp4' | 'cover';

/** What the dialect's main module lends these routes. */
export interface AnyIntDialectTools {
  dialect: string;
  reject(reply: FastifyReply, code: number, msg: string): FastifyReply;
  ownTask(taskId: string): SimulatedTask<TaskContent> | undefined;
  /** A song this dialect generated (not a task that merely holds song content). */
  ownSongTask(taskId: string): SimulatedTask<SongContent> | undefined;
  recordPaidSubmit(task: SimulatedTask<TaskContent>): void;
}

interface PostSongTask {
  task: SimulatedTask<SongContent>;
  family: Family;
  job: PostSongJob;
  /** The clip worked on ('' for cover art, which works on the whole song task). */
  clipId: string;
  sourceTaskId: string;
}

interface AsyncRoute<S extends z.ZodType> {
  route: string;
  path: string;
  family: Family;
  schema: S;
  /** The job a (validated) request asks for; undefined when its clip is not in the content. */
  job(body: z.output<S>, content: SongContent): PostSongJob | undefined;
}

function clipJob(content: SongContent, audioId: string, make: (clip: SongContent['clips'][number]) => PostSongJob) {
  const clip = clipOf(content, audioId);
  return clip && make(clip);
}

const VOCAL_REMOVAL: AsyncRoute<typeof vocalRemovalRequest> = {
  route: VOCAL_REMOVAL_ROUTE,
  path: '/suno/vocal-removal',
  family: 'vocal-removal',
  schema: vocalRemovalRequest,
  job: (body, content) =>
    clipJob(content, body.audioId, (clip) => ({
      kind: 'stems',
      separation: body.type === 'split_stem' ? 'multitrack' : 'vocals',
      clip,
      instrumental: content.instrumental,
    })),
};

const SPLIT_STEM: AsyncRoute<typeof splitStemRequest> = {
  route: SPLIT_STEM_ROUTE,
  path: '/suno/split-stem',
  family: 'vocal-removal',
  schema: splitStemRequest,
  job: (body, content) =>
    clipJob(content, body.audioId, (clip) => ({ kind: 'stems', separation: 'multitrack', clip, instrumental: content.instrumental })),
};

const WAV: AsyncRoute<typeof wavRequest> = {
  route: WAV_ROUTE,
  path: '/suno/wav-generate',
  family: 'wav',
  schema: wavRequest,
  job: (body, content) => clipJob(content, body.audioId, (clip) => ({ kind: 'wav', clip })),
};

const MP4: AsyncRoute<typeof mp4Request> = {
  route: MP4_ROUTE,
  path: '/suno/mp4-generate',
  family: 'mp4',
  schema: mp4Request,
  job: (body, content) => clipJob(content, body.audioId, (clip) => ({ kind: 'video', clip })),
};

const COVER: AsyncRoute<typeof coverRequest> = {
  route: COVER_ROUTE,
  path: '/suno/generate-cover',
  family: 'cover',
  schema: coverRequest,
  job: (body) => ({ kind: 'cover-art', sourceTaskId: body.taskId }),
};

/** What every asynchronous post-song request has in common. */
type AsyncBody = { taskId: string; audioId?: string; callBackUrl: string };

// Each entry pairs its schema with a job that reads that schema's output; the list is only ever
// used through what all the outputs share, which the cast states.
const ASYNC_ROUTES = [VOCAL_REMOVAL, SPLIT_STEM, WAV, MP4, COVER] as unknown as AsyncRoute<z.ZodType<AsyncBody>>[];

/** The post-song task behind a stored task, or undefined when it is not one. */
function postSongTaskOf(found: SimulatedTask<TaskContent>): PostSongTask | undefined {
  const task = asSongTask(found);
  const spec = task && ASYNC_ROUTES.find((candidate) => candidate.route === task.route);
  if (!task || !spec) return undefined;
  const body = spec.schema.safeParse(task.request);
  if (!body.success) return undefined;
  const job = spec.job(body.data, task.content);
  if (!job) return undefined;
  return { task, family: spec.family, job, clipId: body.data.audioId ?? '', sourceTaskId: body.data.taskId };
}

function completeAfterMs(timeline: StageTime[]): number {
  return timeline.find((time) => time.stage === 'complete')?.afterMs ?? 0;
}

type MediaOf<K extends PostSongMedia['kind']> = Extract<PostSongMedia, { kind: K }>;

/** Narrows an outcome to the media its job makes (a stems job always makes stems, and so on). */
function outcomeAs<K extends PostSongMedia['kind']>(outcome: PostSongOutcome, kind: K): PostSongOutcome<MediaOf<K>> {
  if (outcome.state === 'done' && outcome.media.kind !== kind) {
    return { state: 'failed', reason: `internal error: made ${outcome.media.kind}, expected ${kind}` };
  }
  return outcome as PostSongOutcome<MediaOf<K>>;
}

export function registerPostSongRoutes(app: FastifyInstance, context: SimulatorContext, tools: AnyIntDialectTools): void {
  const { store, media, callbacks, ledger, options } = context;

  async function outcomeAt(postSong: PostSongTask, stage: StageName | undefined): Promise<PostSongOutcome> {
    if (stage !== 'complete') return { state: 'pending' };
    try {
      const made = await renderPostSong(postSong.job, media, context.mediaUrl);
      const completedAt = new Date(postSong.task.submittedAt.getTime() + completeAfterMs(postSong.task.timeline));
      return { state: 'done', media: made, completedAt };
    } catch (error) {
      return { state: 'failed', reason: error instanceof Error ? error.message : String(error) };
    }
  }

  function queryData(postSong: PostSongTask, outcome: PostSongOutcome) {
    const { task, clipId } = postSong;
    switch (postSong.family) {
      case 'vocal-removal':
        return vocalRemovalQueryData(task, clipId, outcomeAs(outcome, 'stems'));
      case 'wav':
        return wavQueryData(task, clipId, outcomeAs(outcome, 'wav'));
      case 'mp4':
        return mp4QueryData(task, clipId, outcomeAs(outcome, 'video'));
      case 'cover':
        return coverQueryData(task, postSong.sourceTaskId, outcomeAs(outcome, 'cover-art'));
    }
  }

  function callbackBody(postSong: PostSongTask, outcome: Exclude<PostSongOutcome, { state: 'pending' }>) {
    const { task } = postSong;
    // Narrowing keeps `state`, so the result is never the pending case.
    const finished = <M extends PostSongMedia>(narrowed: PostSongOutcome<M>) => narrowed as Exclude<PostSongOutcome<M>, { state: 'pending' }>;
    switch (postSong.family) {
      case 'vocal-removal':
        return vocalRemovalCallbackBody(task, finished(outcomeAs(outcome, 'stems')));
      case 'wav':
        return wavCallbackBody(task, finished(outcomeAs(outcome, 'wav')));
      case 'mp4':
        return mp4CallbackBody(task, finished(outcomeAs(outcome, 'video')));
      case 'cover':
        return coverCallbackBody(task, finished(outcomeAs(outcome, 'cover-art')));
    }
  }

  async function pushDone(created: SimulatedTask<TaskContent>): Promise<void> {
    const postSong = postSongTaskOf(created);
    const url = postSong?.task.callbackUrl;
    if (!postSong || !url) return;
    const outcome = await outcomeAt(postSong, 'complete');
    if (outcome.state === 'pending') return;
    callbacks.send(url, callbackBody(postSong, outcome), `complete ${created.id}`);
  }

  /** The finished song (and, with an audioId, its clip) that a request works on, or why not. */
  function sourceOf(taskId: string, audioId: string | undefined): { song: SimulatedTask<SongContent>; clipIds: string[] } | string {
    const song = tools.ownSongTask(taskId);
    if (!song) return 'task not found';
    // The family refuses work on a song that is still generating.
    if (store.stageOf(song) !== 'complete') return 'task not complete: wait until its status is SUCCESS';
    if (audioId === undefined) return { song, clipIds: song.content.clips.map((clip) => clip.id) };
    if (!clipOf(song.content, audioId)) return 'audio not found';
    return { song, clipIds: [audioId] };
  }

  for (const spec of ASYNC_ROUTES) {
    app.post(spec.path, async (request, reply) => {
      const checked = check(spec.schema, request.body);
      if (!checked.ok) return tools.reject(reply, 400, checked.message);
      const source = sourceOf(checked.value.taskId, checked.value.audioId);
      if (typeof source === 'string') return tools.reject(reply, 400, source);
      const task = store.create({
        dialect: tools.dialect,
        route: spec.route,
        request: request.body,
        callbackUrl: checked.value.callBackUrl,
        timeline: postSongTimeline(options.stageDelaysMs),
        content: () => workOnClips(source.song.content, source.clipIds),
        onStage: options.sendCallbacks
          ? (created) => {
              pushDone(created).catch((error: unknown) => context.log(`callback complete ${created.id}: ${String(error)}`));
            }
          : undefined,
      });
      const postSong = postSongTaskOf(task);
      if (postSong) preparePostSong(postSong.job, media, context.log);
      tools.recordPaidSubmit(task);
      return successEnvelope({ taskId: task.id });
    });
  }

  for (const family of ['vocal-removal', 'wav', 'mp4', 'cover'] as const) {
    app.get(`/suno/query/${family}`, async (request, reply) => {
      const query = check(taskQuery, request.query);
      if (!query.ok) return tools.reject(reply, 400, query.message);
      const found = tools.ownTask(query.value.taskId);
      const postSong = found && postSongTaskOf(found);
      if (!postSong || postSong.family !== family) return tools.reject(reply, 400, 'task not found');
      // The stage is fixed at arrival; waiting for a render below must not move it.
      const stage = store.stageOf(postSong.task);
      return successEnvelope(queryData(postSong, await outcomeAt(postSong, stage)));
    });
  }

  /** The persona already made from this clip, if any: each clip can make one. */
  function personaOfClip(clipId: string): string | undefined {
    for (const entry of ledger) {
      if (entry.route !== PERSONA_ROUTE) continue;
      const persona = tools.ownTask(entry.taskId);
      const content = persona && asSongTask(persona)?.content;
      if (content?.clips.some((clip) => clip.id === clipId)) return entry.taskId;
    }
    return undefined;
  }

  // Persona and timestamped lyrics answer in the submit itself. They are still tasks here, so that
  // the ledger (and the journal behind it) records them, and a persona id stays valid after a restart.
  app.post('/suno/generate-persona', async (request, reply) => {
    const checked = check(personaRequest, request.body);
    if (!checked.ok) return tools.reject(reply, 400, checked.message);
    const body = checked.value;
    const source = sourceOf(body.taskId, body.audioId);
    if (typeof source === 'string') return tools.reject(reply, 400, source);
    const existing = personaOfClip(body.audioId);
    if (existing) return tools.reject(reply, 400, `audioId: this audio already made persona ${existing}; each audio can make one`);
    const task = store.create({
      dialect: tools.dialect,
      route: PERSONA_ROUTE,
      request: request.body,
      timeline: immediateTimeline(),
      content: () => workOnClips(source.song.content, source.clipIds),
    });
    tools.recordPaidSubmit(task);
    return successEnvelope(personaData(task.id, body.name, body.description));
  });

  app.post('/suno/timestamped-lyrics', async (request, reply) => {
    const checked = check(timestampedLyricsRequest, request.body);
    if (!checked.ok) return tools.reject(reply, 400, checked.message);
    const source = sourceOf(checked.value.taskId, checked.value.audioId);
    if (typeof source === 'string') return tools.reject(reply, 400, source);
    const clip = clipOf(source.song.content, checked.value.audioId);
    const task = store.create({
      dialect: tools.dialect,
      route: TIMESTAMPED_LYRICS_ROUTE,
      request: request.body,
      timeline: immediateTimeline(),
      content: () => workOnClips(source.song.content, source.clipIds),
    });
    tools.recordPaidSubmit(task);
    // Words are spread over the clip's length (a transformed clip's own), so every word lies inside it.
    const seconds = clip ? await media.secondsOf(clip).catch(() => options.clipSeconds) : options.clipSeconds;
    return successEnvelope(timestampedLyricsData(wordTimings(clip?.lyrics ?? '', seconds)));
  });
}
