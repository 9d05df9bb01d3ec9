// The AnyInt dialect: its routes, its auth and its error envelope. Registered as an encapsulated
// fastify plugin, so its auth hook and error handler cover only its own routes and other
// dialects can bring theirs. Songs and lyrics live here; the work on a finished song (stems, WAV,
// video, cover art, persona, timestamped lyrics) is in postSongRoutes.ts, and the transforms
// (extend, upload-cover, upload-extend, add-vocals, add-instrumental, replace-section,
// style-generate) in transformRoutes.ts, under the same hooks.

import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { injectFaults } from '../faultHooks';
import type { FaultStatuses } from '../faults';
import { hasBearerToken } from '../auth';
import {
  check,
  generateLyricsRequest,
  generateRequest,
  promptOverflow,
  taskQuery,
  type GenerateRequest,
} from './requests';
import { PERSONA_ROUTE, registerPostSongRoutes } from './postSongRoutes';
import { registerTransformRoutes, TRANSFORM_SONG_TYPES } from './transformRoutes';
import {
  errorEnvelope,
  lyricsCallbackBody,
  lyricsQueryData,
  songCallbackBody,
  songQueryData,
  successEnvelope,
} from './results';
import type { SimulatorContext } from '../context';
import { ledgerEntryFor } from '../ledger';
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
import { lyricsTimeline, songTimeline, type SimulatedTask, type StageName } from '../taskStore';

/** Saved with each task, so tasks restored after a restart are answered by the dialect that took them. */
const DIALECT = 'anyint';
const GENERATE_ROUTE = 'POST /suno/generate';
const GENERATE_LYRICS_ROUTE = 'POST /suno/generate-lyrics';

function songInput(body: GenerateRequest): SongInput {
  if (body.customMode) {
    return { lyrics: body.prompt, title: body.title, style: body.style, instrumental: body.instrumental, model: body.model };
  }
  return { description: body.prompt, instrumental: body.instrumental, model: body.model };
}

// This family answers 429 when credits run out and 430 when calls come too fast; 455 is maintenance.
const FAULT_STATUSES: FaultStatuses = { throttled: 430, unavailable: 455, rejected: 400, auth: 401, billing: 429 };

export function anyIntDialect(context: SimulatorContext) {
  const { store, media, callbacks, ledger, options, log } = context;
  // A failed generation is announced once, not again at every later stage.
  const failureAnnounced = new Set<string>();

  function reject(reply: FastifyReply, code: number, msg: string): FastifyReply {
    return reply.code(options.errorStatus === 'mirror' ? code : 200).send(errorEnvelope(code, msg));
  }

  function recordPaidSubmit(task: SimulatedTask<TaskContent>): void {
    ledger.push(ledgerEntryFor(task));
    log(`submit ${task.route} -> task ${task.id}`);
  }

  /** A task this dialect accepted, in this run or (restored) an earlier one. */
  function ownTask(taskId: string): SimulatedTask<TaskContent> | undefined {
    const task = store.get(taskId);
    return task?.dialect === DIALECT ? task : undefined;
  }

  /**
   * A song this dialect generated or transformed (extend, covers, replace-section...); tasks that
   * work on a song's clips hold song content too, so the route decides.
   */
  function ownSongTask(taskId: string): SimulatedTask<SongContent> | undefined {
    const task = ownTask(taskId);
    return task && (task.route === GENERATE_ROUTE || task.route in TRANSFORM_SONG_TYPES) ? asSongTask(task) : undefined;
  }

  function onSongStage(created: SimulatedTask<TaskContent>, stage: StageName): void {
    pushSongStage(created, stage).catch((error: unknown) => log(`callback ${stage} ${created.id}: ${String(error)}`));
  }

  async function pushSongStage(task: SimulatedTask<TaskContent>, stage: StageName): Promise<void> {
    const song = asSongTask(task);
    if (!song?.callbackUrl) return;
    const progress = await songProgressAt(song.content, stage, media, context.mediaUrl);
    if (progress.failure) {
      if (failureAnnounced.has(song.id)) return;
      failureAnnounced.add(song.id);
    }
    const body = songCallbackBody(song, progress, stage);
    callbacks.send(song.callbackUrl, body, `${body.data.callbackType} ${song.id}`);
  }

  function pushLyricsDone(task: SimulatedTask<TaskContent>): void {
    const lyrics = asLyricsTask(task);
    if (!lyrics?.callbackUrl) return;
    callbacks.send(lyrics.callbackUrl, lyricsCallbackBody(lyrics), `complete ${lyrics.id}`);
  }

  return async function anyIntRoutes(app: FastifyInstance): Promise<void> {
    app.addHook('onRequest', async (request, reply) => {
      if (!hasBearerToken(request.headers.authorization, options.apiKey)) {
        return reject(reply, 401, 'authentication failed: send Authorization: Bearer <api key>');
      }
    });
    injectFaults(app, context, FAULT_STATUSES, reject);

    // Body parsing failures (bad JSON, wrong content type, oversized body) still answer in the
    // dialect's envelope, because a client reads the envelope first.
    app.setErrorHandler((error: FastifyError, _request, reply) => {
      const status = error.statusCode ?? 500;
      if (status === 413) return reject(reply, 413, 'body: too large');
      if (status >= 400 && status < 500) return reject(reply, 400, `body: ${error.message}`);
      log(`anyint: internal error ${error.stack ?? error.message}`);
      return reject(reply, 500, 'server error');
    });

    app.post('/suno/generate', async (request, reply) => {
      const checked = check(generateRequest, request.body);
      if (!checked.ok) return reject(reply, 400, checked.message);
      const overflow = promptOverflow(checked.value);
      if (overflow) return reject(reply, 413, `text too long: ${overflow}`);
      const body = checked.value;
      // A persona is a voice this account made from one of its songs; any other id is unknown.
      if (body.personaId !== undefined && ownTask(body.personaId)?.route !== PERSONA_ROUTE) {
        return reject(reply, 400, 'personaId: persona not found');
      }
      const task = store.create({
        dialect: DIALECT,
        route: GENERATE_ROUTE,
        request: request.body,
        callbackUrl: body.callBackUrl,
        timeline: songTimeline(options.stageDelaysMs),
        content: (taskId) => songContent(taskId, songInput(body)),
        onStage: options.sendCallbacks ? onSongStage : undefined,
      });
      const song = asSongTask(task);
      if (song) prepareSongMedia(song.content, media, log);
      recordPaidSubmit(task);
      return successEnvelope({ taskId: task.id });
    });

    app.post('/suno/generate-lyrics', async (request, reply) => {
      const checked = check(generateLyricsRequest, request.body);
      if (!checked.ok) return reject(reply, 400, checked.message);
      const body = checked.value;
      const task = store.create({
        dialect: DIALECT,
        route: GENERATE_LYRICS_ROUTE,
        request: request.body,
        callbackUrl: body.callBackUrl,
        timeline: lyricsTimeline(options.stageDelaysMs),
        content: (taskId) => lyricsContent(taskId, body.prompt),
        onStage: options.sendCallbacks ? (created) => pushLyricsDone(created) : undefined,
      });
      recordPaidSubmit(task);
      return successEnvelope({ taskId: task.id });
    });

    app.get('/suno/query/task', async (request, reply) => {
      const query = check(taskQuery, request.query);
      if (!query.ok) return reject(reply, 400, query.message);
      const song = ownSongTask(query.value.taskId);
      if (!song) return reject(reply, 400, 'task not found');
      // The stage is fixed at arrival; waiting for a render below must not move it.
      const stage = store.stageOf(song);
      const progress = await songProgressAt(song.content, stage, media, context.mediaUrl);
      return successEnvelope(songQueryData(song, progress, TRANSFORM_SONG_TYPES[song.route]));
    });

    app.get('/suno/query/lyrics', async (request, reply) => {
      const query = check(taskQuery, request.query);
      if (!query.ok) return reject(reply, 400, query.message);
      const found = ownTask(query.value.taskId);
      // Style expansions keep their text as lyrics content; they are not lyrics tasks.
      const lyrics = found?.route === GENERATE_LYRICS_ROUTE ? asLyricsTask(found) : undefined;
      if (!lyrics) return reject(reply, 400, 'task not found');
      return successEnvelope(lyricsQueryData(lyrics, store.stageOf(lyrics) === 'complete'));
    });

    registerPostSongRoutes(app, context, { dialect: DIALECT, reject, ownTask, ownSongTask, recordPaidSubmit });
    const isPersona = (personaId: string) => ownTask(personaId)?.route === PERSONA_ROUTE;
    registerTransformRoutes(app, context, { dialect: DIALECT, reject, ownSongTask, recordPaidSubmit, onSongStage, isPersona });
  };
}
