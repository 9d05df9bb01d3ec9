// The CQTAI dialect: every capability is `POST /api/cqt/generator/suno` with a `task` field, every
// result is polled from `GET /api/cqt/info/suno?id=`. No webhooks. Two refusals of the vendor's are
// reproduced on purpose so clients can meet them: 451 for a prompt naming an artist, and 429 once
// too many of the account's tasks are unfinished (the `taskLimit` option). The transforms (extend,
// covers, uploads, section work, mashup, merge, remaster, sound effects...) follow
// docs/transforms-wire.md; what each makes is ../transforms.ts.

import type { FaultStatuses } from '../faults';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { artistMentioned } from './moderation';
import {
  clipTaskRequest,
  createRequest,
  cropRequest,
  customModelRequest,
  inspirationRequest,
  enhanceTagsRequest,
  infoQuery,
  layerRequest,
  lyricsRequest,
  mashupRequest,
  mergeRequest,
  personaRequest,
  remakeRequest,
  remasterRequest,
  replaceSectionRequest,
  reuseStyleRequest,
  sampleRequest,
  SIMULATED_TASKS,
  soundEffectRequest,
  taskField,
  uploadRemakeRequest,
  uploadRequest,
  videoRequest,
  type CreateRequest,
  type MashupRequest,
  type RemakeRequest,
  type SampleRequest,
  type SimulatedTaskType,
  type UploadRemakeRequest,
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
import type { AudioSpec } from '../clipAudio';
import { expandStyle } from '../styleText';
import {
  ACCOMPANIMENT,
  coverContent,
  cropContent,
  extensionContent,
  inspirationContent,
  joinContent,
  mashupContent,
  overlayContent,
  remasterContent,
  replaceSectionContent,
  soundEffectContent,
  sourceSound,
  uploadContent,
  uploadSound,
} from '../transforms';

/** A finished clip of this dialect's songs, and the song it belongs to. */
interface Source {
  song: SimulatedTask<SongContent>;
  clip: SongClip;
}

type SongFieldsBody = CreateRequest | RemakeRequest | UploadRemakeRequest | MashupRequest | SampleRequest;

function songInput(body: SongFieldsBody, source: Source | undefined): SongInput {
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

function isPlan<T extends object>(value: T | Plan): value is Plan {
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
  function sourceClip(clipId: string, field = 'clipId'): Source | Plan {
    const found = findClip(context, DIALECT, clipId, isSongTask);
    if (!found) return refused(400, `${field}: no clip ${clipId}`);
    if (store.stageOf(found.song) !== 'complete') return refused(400, `${field}: clip ${clipId} is not finished yet`);
    return found;
  }

  /** Every clip a request names (merge, custom model), or why one of them cannot be worked on. */
  function sourceClips(clipIds: readonly string[]): Source[] | Plan {
    const sources: Source[] = [];
    for (const clipId of clipIds) {
      const source = sourceClip(clipId, 'clipIds');
      if (isPlan(source)) return source;
      sources.push(source);
    }
    return sources;
  }

  /** The source's own identity (title, style, lyrics), for tasks that rework one song. */
  function sameSong(source: Source, model: string | undefined): SongInput {
    const { clip, song: made } = source;
    return { lyrics: clip.lyrics || undefined, title: clip.title, style: clip.tags, instrumental: made.content.instrumental, model: model ?? made.content.model };
  }

  function personaRefusal(personaId: string | undefined): Plan | undefined {
    if (personaId === undefined) return undefined;
    const persona = ownTask(context, DIALECT, personaId);
    return persona && taskTypeOf(persona) === 'persona' ? undefined : refused(400, `personaId: no persona ${personaId}`);
  }

  /** The clip's sound (its recipe, or the tune its id seeds). */
  const soundOf = (source: Source): AudioSpec => sourceSound(source.clip, options.clipSeconds);

  /** A refusal when `at` (a time in the source, for `field`) is past the source's end. */
  async function beyondSource(source: Source, field: string, at: number | undefined): Promise<Plan | undefined> {
    if (at === undefined) return undefined;
    const length = await media.secondsOf(source.clip);
    return at > length ? refused(400, `${field}: beyond the clip's ${Math.round(length * 100) / 100} s`) : undefined;
  }

  const song = (content: NewTask<TaskContent>['content']): Plan => ({ ok: true, task: { timeline: songTimeline(options.stageDelaysMs), content } });

  /** A clip or the user's audio, as a request names one (the schema made sure exactly one is given). */
  function clipOrUpload(body: { clipId?: string; audioUrl?: string }, uploadPart?: 'lead' | 'keys'): { source?: Source; sound: AudioSpec } | Plan {
    if (body.audioUrl !== undefined) return { sound: uploadSound(body.audioUrl, uploadPart) };
    const source = sourceClip(body.clipId ?? '');
    return isPlan(source) ? source : { source, sound: soundOf(source) };
  }

  /** Turns a submit body into the task to create, or the refusal to send. */
  async function planTask(body: unknown, taskType: SimulatedTaskType): Promise<Plan> {
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
        const source = sourceClip(remake.clipId);
        if (isPlan(source)) return source;
        const late = await beyondSource(source, 'continueAt', remake.continueAt);
        if (late) return late;
        const input = songInput(remake, source);
        if (remake.task === 'extend') {
          const continueAt = remake.continueAt ?? 0;
          return song((taskId) => extensionContent(taskId, input, soundOf(source), continueAt, 'part', options.clipSeconds));
        }
        return song((taskId) => coverContent(taskId, input, soundOf(source)));
      }
      case 'upload_extend':
      case 'upload_cover': {
        const checked = check(uploadRemakeRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const remake = checked.value;
        const refusal =
          artistRefusal({ prompt: remake.prompt, tags: remake.tags, title: remake.title }) ?? personaRefusal(remake.personaId);
        if (refusal) return refusal;
        const input = songInput(remake, undefined);
        const upload = uploadSound(remake.audioUrl);
        if (remake.task === 'upload_extend') {
          const continueAt = remake.continueAt ?? 0;
          return song((taskId) => extensionContent(taskId, input, upload, continueAt, 'whole', options.clipSeconds));
        }
        return song((taskId) => coverContent(taskId, input, upload));
      }
      case 'reuse_style': {
        const checked = check(reuseStyleRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const reuse = checked.value;
        const refusal = artistRefusal({ prompt: reuse.prompt, title: reuse.title });
        if (refusal) return refusal;
        const source = sourceClip(reuse.clipId);
        if (isPlan(source)) return source;
        // The source's style, new lyrics: a new song.
        const input: SongInput = {
          lyrics: reuse.prompt,
          title: reuse.title ?? source.clip.title,
          style: source.clip.tags,
          instrumental: false,
          model: reuse.model ?? source.song.content.model,
        };
        return song((taskId) => songContent(taskId, input));
      }
      case 'replace_section': {
        const checked = check(replaceSectionRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const replace = checked.value;
        const refusal = artistRefusal({ prompt: replace.prompt, tags: replace.tags, title: replace.title });
        if (refusal) return refusal;
        const source = sourceClip(replace.clipId);
        if (isPlan(source)) return source;
        const late = await beyondSource(source, 'infillEndS', replace.infillEndS);
        if (late) return late;
        const input: SongInput = {
          lyrics: replace.prompt,
          title: replace.title ?? source.clip.title,
          style: replace.tags ?? source.clip.tags,
          instrumental: source.song.content.instrumental,
          model: source.song.content.model,
        };
        return song((taskId) => replaceSectionContent(taskId, input, soundOf(source), replace.infillStartS, replace.infillEndS));
      }
      case 'add_instrumental':
      case 'add_vocals': {
        const checked = check(layerRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const layer = checked.value;
        const refusal = artistRefusal({ prompt: layer.prompt, tags: layer.tags, title: layer.title });
        if (refusal) return refusal;
        const vocals = layer.task === 'add_vocals';
        // An uploaded vocal is the lead line of the result; an uploaded instrumental its accompaniment.
        const found = clipOrUpload(layer, vocals ? 'keys' : 'lead');
        if (isPlan(found)) return found;
        if (found.source) {
          const late = await beyondSource(found.source, 'infillEndS', layer.infillEndS);
          if (late) return late;
        }
        const input: SongInput = {
          lyrics: vocals ? layer.prompt : found.source?.clip.lyrics,
          title: layer.title ?? found.source?.clip.title,
          style: layer.tags ?? found.source?.clip.tags,
          description: layer.prompt ?? layer.title ?? '',
          instrumental: false,
          model: layer.model ?? found.source?.song.content.model ?? 'v55',
        };
        const parts = vocals ? (['lead'] as const) : ACCOMPANIMENT;
        const section = { from: layer.infillStartS, to: layer.infillEndS };
        return song((taskId) => overlayContent(taskId, input, found.sound, [...parts], section));
      }
      case 'mashup': {
        const checked = check(mashupRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const mashup = checked.value;
        const refusal =
          artistRefusal({ prompt: mashup.prompt, tags: mashup.tags, title: mashup.title }) ?? personaRefusal(mashup.personaId);
        if (refusal) return refusal;
        const sources = sourceClips(mashup.clipIds);
        if (isPlan(sources)) return sources;
        const [first, second] = sources as [Source, Source];
        const input = songInput(mashup, first);
        return song((taskId) => mashupContent(taskId, input, soundOf(first), soundOf(second)));
      }
      case 'sample': {
        const checked = check(sampleRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const sample = checked.value;
        const refusal =
          artistRefusal({ prompt: sample.prompt, tags: sample.tags, title: sample.title }) ?? personaRefusal(sample.personaId);
        if (refusal) return refusal;
        const found = clipOrUpload(sample);
        if (isPlan(found)) return found;
        if (found.source) {
          const late = await beyondSource(found.source, 'sampleEndS', sample.sampleEndS);
          if (late) return late;
        }
        // A new song inspired by the snippet.
        const input = songInput(sample, undefined);
        return song((taskId) => songContent(taskId, input));
      }
      case 'sound_effect': {
        const checked = check(soundEffectRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const effect = checked.value;
        const refusal = artistRefusal({ prompt: effect.prompt });
        if (refusal) return refusal;
        const input: SongInput = { description: effect.prompt, instrumental: true, model: 'v55' };
        return song((taskId) => soundEffectContent(taskId, input, effect.durationS));
      }
      case 'remaster': {
        const checked = check(remasterRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const source = sourceClip(checked.value.clipId);
        if (isPlan(source)) return source;
        const input = sameSong(source, checked.value.model);
        return song((taskId) => remasterContent(taskId, input, soundOf(source)));
      }
      case 'upload': {
        const checked = check(uploadRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const url = checked.value.audioUrl;
        const input: SongInput = { description: 'uploaded audio', title: 'Uploaded audio', style: 'upload', instrumental: true, model: 'v55' };
        return song((taskId) => uploadContent(taskId, input, url));
      }
      case 'merge': {
        const checked = check(mergeRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const sources = sourceClips(checked.value.clipIds);
        if (isPlan(sources)) return sources;
        const input = sameSong(sources[0] as Source, undefined);
        return song((taskId) => joinContent(taskId, input, sources.map(soundOf)));
      }
      case 'crop': {
        const checked = check(cropRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const crop = checked.value;
        const source = sourceClip(crop.clipId);
        if (isPlan(source)) return source;
        const late = await beyondSource(source, 'cropEndS', crop.cropEndS);
        if (late) return late;
        const input = { ...sameSong(source, undefined), title: crop.title ?? source.clip.title };
        return song((taskId) => cropContent(taskId, input, soundOf(source), crop.cropStartS, crop.cropEndS));
      }
      case 'inspiration': {
        const checked = check(inspirationRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const inspire = checked.value;
        const refusal = artistRefusal({ prompt: inspire.prompt }) ?? personaRefusal(inspire.personaId);
        if (refusal) return refusal;
        // The playlist lives in the provider's account; the simulator takes its id as given.
        const input: SongInput = { description: inspire.prompt ?? `inspired by playlist ${inspire.playlistId}`, instrumental: false, model: inspire.model };
        return song((taskId) => inspirationContent(taskId, input));
      }
      case 'custom_model': {
        const checked = check(customModelRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const sources = sourceClips(checked.value.clipIds);
        if (isPlan(sources)) return sources;
        // Training takes about as long as a song; the task keeps the clips it was trained on.
        const first = sources[0]!;
        return {
          ok: true,
          task: { timeline: postSongTimeline(options.stageDelaysMs), content: () => workOnClips(first.song.content, [first.clip.id]) },
        };
      }
      case 'enhance_tags': {
        const checked = check(enhanceTagsRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const refusal = artistRefusal({ tags: checked.value.tags });
        if (refusal) return refusal;
        const expanded = expandStyle(checked.value.tags);
        // Kept as text content (what the journal keeps), the expanded tags as its one variant.
        return {
          ok: true,
          task: { timeline: lyricsTimeline(options.stageDelaysMs), content: () => ({ kind: 'lyrics', variants: [{ title: 'tags', text: expanded }] }) },
        };
      }
      case 'video': {
        const checked = check(videoRequest, body);
        if (!checked.ok) return refused(400, checked.message);
        const source = sourceClip(checked.value.clipId);
        if (isPlan(source)) return source;
        return {
          ok: true,
          task: { timeline: postSongTimeline(options.stageDelaysMs), content: () => workOnClips(source.song.content, [source.clip.id]) },
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
        const timeline = taskType === 'timeline' || taskType === 'downbeats' ? lyricsTimeline(options.stageDelaysMs) : postSongTimeline(options.stageDelaysMs);
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
      const plan = await planTask(request.body, taskType);
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
