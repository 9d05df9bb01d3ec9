// The AceData Cloud dialect. One audio route (`POST /suno/audios`) whose `action` picks the
// operation (every documented action: songs, extends, concat, covers, uploads, section
// work, samples, remaster, mashup, stems; what each makes is ../transforms.ts), lyrics, WAV, MP4,
// timing and persona routes, and `POST /suno/tasks` to read tasks back. A submit answers in one of three ways, as the service does:
//   - with `callback_url` (or, on the audio and lyrics routes, `async: true`): `{success, task_id,
//     trace_id}` at once; the result is read from /suno/tasks and, with a callback_url, pushed
//     there once when it is final;
//   - with `accept: application/x-ndjson` (audio route): a stream of JSON lines, one as soon as the
//     task exists and one per stage, the last one final;
//   - otherwise: the request is held open until the result is final, then answered.

import { Readable } from 'node:stream';
import type { FaultStatuses } from '../faults';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  audiosRequest,
  lyricsRequest,
  mp4Request,
  personaRequest,
  SECTION_FIELDS,
  SIMULATED_ACTIONS,
  tasksRequest,
  timingRequest,
  uploadRequest,
  wavRequest,
  type AudiosRequest,
  type SimulatedAction,
} from './requests';
import {
  answerAt,
  AUDIOS_ROUTE,
  DIALECT,
  isSongTask,
  kindOf,
  LYRICS_ROUTE,
  MP4_ROUTE,
  PERSONA_ROUTE,
  postSongJob,
  recordTypeOf,
  TIMING_ROUTE,
  UPLOAD_ROUTE,
  WAV_ROUTE,
} from './tasks';
import { acceptedAnswer, errorAnswer, errorCodeFor, taskRecord } from './results';
import { preparePostSong } from '../derivedMedia';
import {
  canAffordSubmit,
  check,
  errorHttpStatus,
  findClip,
  guardRoutes,
  ownTask,
  recordPaidSubmit,
  untilStage,
  type DialectContext,
} from '../dialects';
import { prepareSongMedia } from '../songProgress';
import { wholeSong, type AudioSpec } from '../clipAudio';
import {
  ACCOMPANIMENT,
  coverContent,
  extensionContent,
  joinContent,
  mashupContent,
  inspirationContent,
  overlayContent,
  remasterContent,
  replaceSectionContent,
  sourceSound,
  uploadContent,
} from '../transforms';
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
import {
  immediateTimeline,
  lyricsTimeline,
  postSongTimeline,
  songTimeline,
  type NewTask,
  type SimulatedTask,
  type StageName,
} from '../taskStore';

/** The document's default model. */
const DEFAULT_MODEL = 'chirp-v4';
const NDJSON = 'application/x-ndjson';

/** A finished clip of this dialect's songs, and the song it belongs to. */
interface Source {
  song: SimulatedTask<SongContent>;
  clip: SongClip;
}

function songInput(body: AudiosRequest, source: Source | undefined): SongInput {
  const instrumental = body.instrumental ?? source?.song.content.instrumental ?? false;
  const model = body.model ?? source?.song.content.model ?? DEFAULT_MODEL;
  // An extension keeps its source's title and style unless the request says otherwise.
  const title = body.title ?? source?.clip.title;
  const style = body.style ?? source?.clip.tags;
  if (body.custom) {
    const lyrics = body.lyric?.trim() ? body.lyric : undefined;
    // Without lyrics, lyric_prompt describes the lyrics to write.
    return { lyrics, description: body.lyric_prompt, title, style, instrumental, model };
  }
  return { description: body.prompt ?? body.lyric_prompt ?? source?.clip.title ?? '', title, style, instrumental, model };
}

/** The source's own identity (title, style, lyrics) for work that keeps the song: concat, remaster. */
function sameSong(source: Source, input: SongInput): SongInput {
  return { ...input, title: source.clip.title, style: source.clip.tags, lyrics: source.clip.lyrics || undefined, model: source.song.content.model };
}

function isSimulated(action: string): action is SimulatedAction {
  return (SIMULATED_ACTIONS as readonly string[]).includes(action);
}

function wantsStream(request: FastifyRequest): boolean {
  return request.headers.accept?.toLowerCase().includes(NDJSON) ?? false;
}

// The statuses this service uses for each class of error, for injected faults.
const FAULT_STATUSES: FaultStatuses = { throttled: 429, unavailable: 503, rejected: 400, auth: 401, billing: 402 };

export function acedataDialect(context: DialectContext) {
  const { store, media, callbacks, options, log } = context;

  const reject = (reply: FastifyReply, status: number, message: string): FastifyReply =>
    reply.code(errorHttpStatus(context, status)).send(errorAnswer(errorCodeFor(status), message));

  function pushWhenDone(task: SimulatedTask<TaskContent>, stage: StageName): void {
    if (stage !== 'complete' || !task.callbackUrl) return;
    const url = task.callbackUrl;
    answerAt(context, task, stage)
      .then((body) => body && callbacks.send(url, body, `complete ${task.id}`))
      .catch((error: unknown) => log(`callback complete ${task.id}: ${String(error)}`));
  }

  /** The finished clip a request names, or the reason it cannot be worked on. */
  function sourceClip(field: string, clipId: string): Source | string {
    const found = findClip(context, DIALECT, clipId, isSongTask);
    if (!found) return `${field}: no audio ${clipId}`;
    if (store.stageOf(found.song) !== 'complete') return `${field}: audio ${clipId} is not finished yet`;
    return found;
  }

  function isPersona(id: string): boolean {
    const task = ownTask(context, DIALECT, id);
    return task !== undefined && kindOf(task) === 'persona';
  }

  /** Creates, records and starts rendering a paid task; the caller has checked everything else. */
  function createPaid(spec: Omit<NewTask<TaskContent>, 'dialect' | 'onStage'>): SimulatedTask<TaskContent> {
    const task = store.create({ ...spec, dialect: DIALECT, onStage: options.sendCallbacks ? pushWhenDone : undefined });
    const song = kindOf(task) === 'song' ? asSongTask(task) : undefined;
    if (song) prepareSongMedia(song.content, media, log);
    const job = postSongJob(task);
    if (job) preparePostSong(job, media, log);
    recordPaidSubmit(context, task);
    return task;
  }

  /** Answers a created task according to the request's mode (see the top of the file). */
  async function answerSubmit(
    request: FastifyRequest,
    reply: FastifyReply,
    task: SimulatedTask<TaskContent>,
    asynchronous: boolean,
  ): Promise<unknown> {
    if (asynchronous) return acceptedAnswer(task);
    if (wantsStream(request)) {
      const lines = async function* () {
        // First line at once: the client learns the task id before any wait.
        yield `${JSON.stringify({ ...acceptedAnswer(task), data: [] })}\n`;
        for (const { stage } of task.timeline) {
          await untilStage(context, task, stage);
          const answer = await answerAt(context, task, stage);
          if (!answer) continue;
          yield `${JSON.stringify(answer)}\n`;
          if (!answer.success) return;
        }
      };
      return reply.header('content-type', NDJSON).send(Readable.from(lines()));
    }
    await untilStage(context, task, 'complete');
    const answer = await answerAt(context, task, 'complete');
    if (!answer) return reject(reply, 500, 'server error');
    if (!answer.success) return reply.code(errorHttpStatus(context, 500)).send(answer);
    return answer;
  }

  const soundOf = (source: Source): AudioSpec => sourceSound(source.clip, options.clipSeconds);

  /** A refusal when a time in the source (`field`) is not before its end (or, with `inclusive`, past it). */
  async function pastEnd(source: Source, field: string, at: number | undefined, inclusive = false): Promise<string | undefined> {
    if (at === undefined) return undefined;
    const length = await media.secondsOf(source.clip);
    const shown = Math.round(length * 100) / 100;
    if (inclusive ? at > length : at >= length) return `${field}: must be ${inclusive ? 'at most' : 'less than'} the audio's duration (${shown} s)`;
    return undefined;
  }

  /**
   * What an audio action makes, as the content of its task, or why the request cannot be done.
   * Sources are finished clips of this account (audio_id) or the user's audio (audio_url).
   */
  async function planAudios(body: AudiosRequest, action: SimulatedAction): Promise<((taskId: string) => TaskContent) | string> {
    const clip = body.audio_id !== undefined && action !== 'generate' ? sourceClip('audio_id', body.audio_id) : undefined;
    if (typeof clip === 'string') return clip;
    const input = songInput(body, clip);
    const section = action in SECTION_FIELDS ? SECTION_FIELDS[action as keyof typeof SECTION_FIELDS] : undefined;
    const [from, to] = section ? [body[section[0]], body[section[1]]] : [undefined, undefined];
    if (clip && section) {
      const late = await pastEnd(clip, section[1], to);
      if (late) return late;
    }
    // The source as sound: the clip's (an uploaded clip's is the user's file).
    const sound = clip ? soundOf(clip) : undefined;
    switch (action) {
      case 'generate':
      case 'artist_consistency':
      case 'artist_consistency_vox':
      case 'samples':
        // New songs (with a persona's voice, or inspired by a snippet of the source).
        return (taskId) => songContent(taskId, input);
      case 'stems':
      case 'all_stems':
        return clip ? () => workOnClips(clip.song.content, [clip.clip.id]) : 'audio_id: is required';
      case 'extend': {
        if (!clip || !sound) return 'audio_id: is required';
        const late = await pastEnd(clip, 'continue_at', body.continue_at, true);
        if (late) return late;
        const at = body.continue_at ?? 0;
        return (taskId) => extensionContent(taskId, input, sound, at, 'part', options.clipSeconds);
      }
      case 'upload_extend': {
        if (!clip || !sound) return 'audio_id: is required';
        const late = await pastEnd(clip, 'continue_at', body.continue_at, true);
        if (late) return late;
        const at = body.continue_at ?? 0;
        return (taskId) => extensionContent(taskId, input, sound, at, 'whole', options.clipSeconds);
      }
      case 'concat':
        // The chain of extensions that ends in this clip, joined from the first song's start.
        return clip ? (taskId) => joinContent(taskId, sameSong(clip, input), [wholeSong(soundOf(clip))]) : 'audio_id: is required';
      case 'cover':
      case 'upload_cover':
        return sound ? (taskId) => coverContent(taskId, input, sound) : 'audio_id: is required';
      case 'replace_section': {
        if (!clip || !sound || from === undefined || to === undefined) return 'audio_id: is required';
        return (taskId) => replaceSectionContent(taskId, { ...input, lyrics: body.lyric }, sound, from, to);
      }
      case 'underpainting':
      case 'overpainting': {
        const vocals = action === 'overpainting';
        const layered = sound;
        if (!layered) return 'audio_id: is required';
        const parts = vocals ? ['lead' as const] : ACCOMPANIMENT;
        return (taskId) => overlayContent(taskId, { ...input, instrumental: false }, layered, [...parts], { from, to });
      }
      case 'remaster':
        return clip && sound ? (taskId) => remasterContent(taskId, sameSong(clip, input), sound) : 'audio_id: is required';
      case 'mashup': {
        const sources: Source[] = [];
        for (const id of body.mashup_audio_ids ?? []) {
          const found = sourceClip('mashup_audio_ids', id);
          if (typeof found === 'string') return found;
          sources.push(found);
        }
        const [first, second] = sources as [Source, Source];
        const mashupInput = songInput(body, first);
        return (taskId) => mashupContent(taskId, mashupInput, soundOf(first), soundOf(second));
      }
      case 'inspo':
        // New songs steered by the references (audio_urls); none of them is copied.
        return (taskId) => inspirationContent(taskId, input);
    }
  }

  return async function acedataRoutes(app: FastifyInstance): Promise<void> {
    guardRoutes(app, context, DIALECT, reject, FAULT_STATUSES);

    app.post('/suno/audios', async (request, reply) => {
      const checked = check(audiosRequest, request.body);
      if (!checked.ok) return reject(reply, 400, checked.message);
      const body = checked.value;
      const action = body.action ?? 'generate';
      if (!isSimulated(action)) {
        return reject(reply, 400, `action: '${action}' is not simulated (simulated: ${SIMULATED_ACTIONS.join(', ')})`);
      }
      if (body.persona_id !== undefined && !isPersona(body.persona_id)) {
        return reject(reply, 400, `persona_id: no persona ${body.persona_id}`);
      }
      const planned = await planAudios(body, action);
      if (typeof planned === 'string') return reject(reply, 400, planned);
      if (!canAffordSubmit(context)) return reject(reply, 402, 'the balance is used up');
      const stems = action === 'stems' || action === 'all_stems';
      const task = createPaid({
        route: AUDIOS_ROUTE,
        request: request.body,
        callbackUrl: body.callback_url,
        timeline: stems ? postSongTimeline(options.stageDelaysMs) : songTimeline(options.stageDelaysMs),
        content: planned,
      });
      return answerSubmit(request, reply, task, body.async === true || body.callback_url !== undefined);
    });

    app.post('/suno/lyrics', async (request, reply) => {
      const checked = check(lyricsRequest, request.body);
      if (!checked.ok) return reject(reply, 400, checked.message);
      if (!canAffordSubmit(context)) return reject(reply, 402, 'the balance is used up');
      const body = checked.value;
      const task = createPaid({
        route: LYRICS_ROUTE,
        request: request.body,
        callbackUrl: body.callback_url,
        timeline: lyricsTimeline(options.stageDelaysMs),
        content: (taskId) => lyricsContent(taskId, body.prompt),
      });
      return answerSubmit(request, reply, task, body.async === true || body.callback_url !== undefined);
    });

    // The user's audio by URL becomes a clip, answered at once with its audio_id (AceData's upload guide).
    app.post('/suno/upload', async (request, reply) => {
      const checked = check(uploadRequest, request.body);
      if (!checked.ok) return reject(reply, 400, checked.message);
      if (!canAffordSubmit(context)) return reject(reply, 402, 'the balance is used up');
      const url = checked.value.audio_url;
      const input = { description: 'uploaded audio', title: 'Uploaded audio', style: 'upload', instrumental: true, model: 'chirp-v4' };
      const task = createPaid({ route: UPLOAD_ROUTE, request: request.body, timeline: immediateTimeline(), content: (taskId) => uploadContent(taskId, input, url) });
      return answerSubmit(request, reply, task, false);
    });

    // WAV and MP4 exports: held open until the file is made, unless a callback_url is given.
    for (const [path, route, schema] of [
      ['/suno/wav', WAV_ROUTE, wavRequest],
      ['/suno/mp4', MP4_ROUTE, mp4Request],
    ] as const) {
      app.post(path, async (request, reply) => {
        const checked = check(schema, request.body);
        if (!checked.ok) return reject(reply, 400, checked.message);
        const body = checked.value;
        const source = sourceClip('audio_id', body.audio_id);
        if (typeof source === 'string') return reject(reply, 400, source);
        if (!canAffordSubmit(context)) return reject(reply, 402, 'the balance is used up');
        const task = createPaid({
          route,
          request: request.body,
          callbackUrl: body.callback_url,
          timeline: postSongTimeline(options.stageDelaysMs),
          content: () => workOnClips(source.song.content, [source.clip.id]),
        });
        return answerSubmit(request, reply, task, body.callback_url !== undefined);
      });
    }

    // Word timings and personas are answered in the submit itself. They are still tasks, so the
    // ledger (and the journal behind it) records them and a persona id stays valid after a restart.
    for (const [path, route, schema] of [
      ['/suno/timing', TIMING_ROUTE, timingRequest],
      ['/suno/persona', PERSONA_ROUTE, personaRequest],
    ] as const) {
      app.post(path, async (request, reply) => {
        const checked = check(schema, request.body);
        if (!checked.ok) return reject(reply, 400, checked.message);
        const source = sourceClip('audio_id', checked.value.audio_id);
        if (typeof source === 'string') return reject(reply, 400, source);
        if (!canAffordSubmit(context)) return reject(reply, 402, 'the balance is used up');
        const task = createPaid({
          route,
          request: request.body,
          timeline: immediateTimeline(),
          content: () => workOnClips(source.song.content, [source.clip.id]),
        });
        return answerSubmit(request, reply, task, false);
      });
    }

    app.post('/suno/tasks', async (request, reply) => {
      const checked = check(tasksRequest, request.body);
      if (!checked.ok) return reject(reply, 400, checked.message);
      const recordOf = async (id: string) => {
        const task = ownTask(context, DIALECT, id);
        const type = task && recordTypeOf(task);
        if (!task || !type) return undefined;
        return taskRecord(task, type, await answerAt(context, task, store.stageOf(task)));
      };
      const query = checked.value;
      if (query.action === 'retrieve') {
        const record = await recordOf(query.id);
        return record ?? reject(reply, 404, `id: no task ${query.id}`);
      }
      // Unknown ids are left out of a batch rather than failing it.
      const records = await Promise.all([...new Set(query.ids)].map(recordOf));
      const items = records.filter((record) => record !== undefined);
      return { items, count: items.length };
    });
  };
}
