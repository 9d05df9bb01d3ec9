// The CQTAI dialect: every capability is `POST /api/cqt/generator/suno` with a `task` field, every
// result is polled from `GET /api/cqt/info/suno?id=`. No webhooks. Two refusals of the vendor's are
// reproduced on purpose so clients can meet them: 451 for a prompt naming an artist, and 429 once
// too many of the account's tasks are unfinished (the `taskLimit` option).

import type { FaultStatuses } from '../faults';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { artistMentioned } from './moderation';
import {
  clipTaskRequest,
  createRequest,
  infoQuery,
  lyricsRequest,
  personaRequest,
  remakeRequest,
  SIMULATED_TASKS,
  taskField,
  type CreateRequest,
  type RemakeRequest,
  type SimulatedTaskType,
} from './requests';
import { DIALECT, infoAt, isSongTask, postSongJob, SUBMIT_ROUTE, taskTypeOf } from './tasks';
import { errorAnswer, submitAnswer } from './results';
import { preparePostSong } from '../derivedMedia';
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
import { prepareSongMedia } from '../songProgress';
import {
  asSongTask,
  lyricsContent,
  songContent,
  workOnClips,
  type SongClip,
  type SongContent,
  type SongInput,
  type TaskContent,
} from '../taskContent';
import { lyricsTimeline, postSongTimeline, songTimeline, type NewTask, type SimulatedTask } from '../taskStore';

/** A finished clip of this dialect's songs, and the song it belongs to. */
interface Source {
  song: SimulatedTask<SongContent>;
  clip: SongClip;
}

function songInput(body: CreateRequest | RemakeRequest, source: Source | undefined): SongInput {
  const instrumental = body.makeInstrumental ?? source?.song.content.instrumental ?? false;
  // A remake keeps its source's title and tags unless the request says otherwise.
  const title = body.title ?? source?.clip.title;
  const style = body.tags ?? source?.clip.tags;
  if (body.customMode) return { lyrics: body.prompt, title, style, instrumental, model: body.model };
  return { description: body.prompt ?? source?.clip.title ?? '', title, style, instrumental, model: body.model };
}

function isSimulated(task: string): task is SimulatedTaskType {
  return (SIMULATED_TASKS as readonly string[]).includes(task);
}

type Plan = { ok: true; task: Omit<NewTask<TaskContent>, 'dialect' | 'route' | 'request'> } | { ok: false; status: number; message: string };

const refused = (status: number, message: string): Plan => ({ ok: false, status, message });

function isPlan(value: Source | Plan): value is Plan {
  return 'ok' in value;
}

// 429 is cqt's running-task limit, which its clients treat as "slow down".
const FAULT_STATUSES: FaultStatuses = { throttled: 429, unavailable: 503, rejected: 400, auth: 401, billing: 402 };

export function cqtDialect(context: DialectContext) {
  const { store, media, options, log } = context;
  /** Ids of this run's tasks that may still be unfinished (tasks restored after a restart are not counted). */
  const unfinished = new Set<string>();

  const reject = (reply: FastifyReply, status: number, message: string): FastifyReply =>
    reply.code(errorHttpStatus(context, status)).send(errorAnswer(status, message));

  function unfinishedCount(): number {
    for (const id of unfinished) {
      const task = store.get(id);
      if (!task || store.stageOf(task) === 'complete') unfinished.delete(id);
    }
    return unfinished.size;
  }

  function artistRefusal(fields: Record<string, string | undefined>): Plan | undefined {
    const found = artistMentioned(fields);
    if (!found) return undefined;
    return refused(451, `artist name not allowed: we don't reference specific artists on Suno (${found.field} names "${found.artist}")`);
  }

  /** The finished clip a request names, or why it cannot be worked on. */
  function sourceClip(clipId: string): Source | Plan {
    const found = findClip(context, DIALECT, clipId, isSongTask);
    if (!found) return refused(400, `clipId: no clip ${clipId}`);
    if (store.stageOf(found.song) !== 'complete') return refused(400, `clipId: clip ${clipId} is not finished yet`);
    return found;
  }

  function personaRefusal(personaId: string | undefined): Plan | undefined {
    if (personaId === undefined) return undefined;
    const persona = ownTask(context, DIALECT, personaId);
    return persona && taskTypeOf(persona) === 'persona' ? undefined : refused(400, `personaId: no persona ${personaId}`);
  }

  /** Turns a submit body into the task to create, or the refusal to send. */
  function planTask(body: unknown, taskType: SimulatedTaskType): Plan {
    switch (taskType) {
      case 'create': {
        const checked = check(createRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const create = checked.value;
        const refusal =
          artistRefusal({ prompt: create.prompt, tags: create.tags, title: create.title }) ?? personaRefusal(create.personaId);
        if (refusal) return refusal;
        return {
          ok: true,
          task: { timeline: songTimeline(options.stageDelaysMs), content: (taskId) => songContent(taskId, songInput(create, undefined)) },
        };
      }
      case 'extend':
      case 'cover': {
        const checked = check(remakeRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const remake = checked.value;
        const refusal =
          artistRefusal({ prompt: remake.prompt, tags: remake.tags, title: remake.title }) ?? personaRefusal(remake.personaId);
        if (refusal) return refusal;
        if ((remake.continueAt ?? 0) > options.clipSeconds) {
          return refused(400, `continueAt: beyond the clip's ${options.clipSeconds} s`);
        }
        const source = sourceClip(remake.clipId);
        if (isPlan(source)) return source;
        return {
          ok: true,
          task: { timeline: songTimeline(options.stageDelaysMs), content: (taskId) => songContent(taskId, songInput(remake, source)) },
        };
      }
      case 'lyrics': {
        const checked = check(lyricsRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const { prompt } = checked.value;
        const refusal = artistRefusal({ prompt });
        if (refusal) return refusal;
        return { ok: true, task: { timeline: lyricsTimeline(options.stageDelaysMs), content: (taskId) => lyricsContent(taskId, prompt) } };
      }
      case 'persona': {
        const checked = check(personaRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const source = sourceClip(checked.value.clipId);
        if (isPlan(source)) return source;
        // A small tool: done when a song's text stage would be.
        return {
          ok: true,
          task: { timeline: lyricsTimeline(options.stageDelaysMs), content: () => workOnClips(source.song.content, [source.clip.id]) },
        };
      }
      default: {
        const checked = check(clipTaskRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const source = sourceClip(checked.value.clipId);
        if (isPlan(source)) return source;
        // The word timeline is a small tool; stems and exports take about as long as a song.
        const timeline = taskType === 'timeline' ? lyricsTimeline(options.stageDelaysMs) : postSongTimeline(options.stageDelaysMs);
        return { ok: true, task: { timeline, content: () => workOnClips(source.song.content, [source.clip.id]) } };
      }
    }
  }

  return async function cqtRoutes(app: FastifyInstance): Promise<void> {
    guardRoutes(app, context, DIALECT, reject, FAULT_STATUSES);

    app.post('/api/cqt/generator/suno', async (request, reply) => {
      const named = check(taskField, request.body);
      if (!named.ok) return reject(reply, 400, named.message);
      const taskType = named.value.task;
      if (!isSimulated(taskType)) {
        return reject(reply, 400, `task: '${taskType}' is not simulated (simulated: ${SIMULATED_TASKS.join(', ')})`);
      }
      const plan = planTask(request.body, taskType);
      if (!plan.ok) return reject(reply, plan.status, plan.message);
      if (unfinishedCount() >= context.dialectOptions.taskLimit) return reject(reply, 429, 'Task limit reached');
      if (!canAffordSubmit(context)) return reject(reply, 402, 'insufficient credits');
      const task = store.create({ ...plan.task, dialect: DIALECT, route: SUBMIT_ROUTE, request: request.body });
      unfinished.add(task.id);
      const song = isSongTask(task) ? asSongTask(task) : undefined;
      if (song) prepareSongMedia(song.content, media, log);
      const job = postSongJob(task);
      if (job) preparePostSong(job, media, log);
      recordPaidSubmit(context, task);
      return submitAnswer(task.id);
    });

    app.get('/api/cqt/info/suno', async (request, reply) => {
      const query = check(infoQuery, request.query);
      if (!query.ok) return reject(reply, 400, query.message);
      const task = ownTask(context, DIALECT, query.value.id);
      // The stage is fixed on arrival; waiting for a render below must not move it.
      const answer = task && (await infoAt(context, task, store.stageOf(task)));
      return answer ?? reject(reply, 404, `id: no task ${query.value.id}`);
    });
  };
}
