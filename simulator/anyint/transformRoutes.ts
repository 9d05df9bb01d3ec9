// The AnyInt transform routes: extend, upload-cover, upload-extend, add-vocals, add-instrumental
// and replace-section make song tasks (queried on /suno/query/task, called back like songs), and
// style-generate answers at once. What each makes is dialect-independent (../transforms.ts); this
// file checks the family's bodies, finds the sources, and records each accepted submit as paid.

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import { check } from './requests';
import { successEnvelope } from './results';
import {
  addInstrumentalRequest,
  addVocalsRequest,
  extendRequest,
  replaceSectionRequest,
  styleGenerateRequest,
  uploadCoverRequest,
  uploadExtendRequest,
} from './transformRequests';
import type { SimulatorContext } from '../context';
import { prepareSongMedia } from '../songProgress';
import { expandStyle } from '../styleText';
import { asSongTask, clipOf, type SongClip, type SongContent, type SongInput, type TaskContent } from '../taskContent';
import { immediateTimeline, songTimeline, type SimulatedTask, type StageName } from '../taskStore';
import {
  ACCOMPANIMENT,
  coverContent,
  extensionContent,
  overlayContent,
  replaceSectionContent,
  sourceSound,
  uploadSound,
} from '../transforms';

export const EXTEND_ROUTE = 'POST /suno/extend';
export const UPLOAD_COVER_ROUTE = 'POST /suno/upload-cover';
export const UPLOAD_EXTEND_ROUTE = 'POST /suno/upload-extend';
export const ADD_VOCALS_ROUTE = 'POST /suno/add-vocals';
export const ADD_INSTRUMENTAL_ROUTE = 'POST /suno/add-instrumental';
export const REPLACE_SECTION_ROUTE = 'POST /suno/replace-section';
export const STYLE_GENERATE_ROUTE = 'POST /suno/style-generate';

/** Transform routes whose tasks are songs; the family reports each with its own type. */
export const TRANSFORM_SONG_TYPES: Record<string, string> = {
  [EXTEND_ROUTE]: 'EXTEND',
  [UPLOAD_COVER_ROUTE]: 'UPLOAD_COVER',
  [UPLOAD_EXTEND_ROUTE]: 'UPLOAD_EXTEND',
  [ADD_VOCALS_ROUTE]: 'ADD_VOCALS',
  [ADD_INSTRUMENTAL_ROUTE]: 'ADD_INSTRUMENTAL',
  [REPLACE_SECTION_ROUTE]: 'REPLACE_SECTION',
};

export interface AnyIntTransformTools {
  dialect: string;
  reject(reply: FastifyReply, code: number, msg: string): FastifyReply;
  /** A song task of this dialect (generated or transformed). */
  ownSongTask(taskId: string): SimulatedTask<SongContent> | undefined;
  recordPaidSubmit(task: SimulatedTask<TaskContent>): void;
  /** True when the id is a persona this account made. */
  isPersona(personaId: string): boolean;
  /** Pushes a song task's stage to its callBackUrl (as for generated songs). */
  onSongStage(task: SimulatedTask<TaskContent>, stage: StageName): void;
}

interface Route<S extends z.ZodType> {
  route: string;
  path: string;
  schema: S;
  /** The content to make, or the refusal (a message naming the field). */
  plan(body: z.output<S>): Promise<((taskId: string) => SongContent) | string>;
}

export function registerTransformRoutes(app: FastifyInstance, context: SimulatorContext, tools: AnyIntTransformTools): void {
  const { store, media, options } = context;

  /** The finished clip a request names by taskId and audioId, or why it cannot be worked on. */
  function sourceClip(taskId: string, audioId: string): { song: SimulatedTask<SongContent>; clip: SongClip } | string {
    const song = tools.ownSongTask(taskId);
    if (!song) return 'task not found';
    if (store.stageOf(song) !== 'complete') return 'task not complete: wait until its status is SUCCESS';
    const clip = clipOf(song.content, audioId);
    return clip ? { song, clip } : 'audio not found';
  }

  async function pastEnd(clip: SongClip, field: string, at: number, inclusive: boolean): Promise<string | undefined> {
    const length = await media.secondsOf(clip);
    if (inclusive ? at <= length : at < length) return undefined;
    return `${field}: must be ${inclusive ? 'at most' : 'less than'} the audio's duration (${Math.round(length * 100) / 100} s)`;
  }

  const extend: Route<typeof extendRequest> = {
    route: EXTEND_ROUTE,
    path: '/suno/extend',
    schema: extendRequest,
    async plan(body) {
      if (body.personaId !== undefined && !tools.isPersona(body.personaId)) return 'personaId: persona not found';
      const source = sourceClip(body.taskId, body.audioId);
      if (typeof source === 'string') return source;
      const late = await pastEnd(source.clip, 'continueAt', body.continueAt, true);
      if (late) return late;
      const input: SongInput = {
        lyrics: body.prompt?.trim() ? body.prompt : undefined,
        description: source.clip.title,
        title: body.title ?? source.clip.title,
        style: body.style ?? source.clip.tags,
        instrumental: source.song.content.instrumental,
        model: body.model,
      };
      const sound = sourceSound(source.clip, options.clipSeconds);
      return (taskId) => extensionContent(taskId, input, sound, body.continueAt, 'whole', options.clipSeconds);
    },
  };

  const uploadCover: Route<typeof uploadCoverRequest> = {
    route: UPLOAD_COVER_ROUTE,
    path: '/suno/upload-cover',
    schema: uploadCoverRequest,
    async plan(body) {
      const input: SongInput = body.customMode
        ? { lyrics: body.prompt, title: body.title, style: body.style, instrumental: body.instrumental, model: body.model }
        : { description: body.prompt, instrumental: body.instrumental, model: body.model };
      return (taskId) => coverContent(taskId, input, uploadSound(body.uploadUrl));
    },
  };

  const uploadExtend: Route<typeof uploadExtendRequest> = {
    route: UPLOAD_EXTEND_ROUTE,
    path: '/suno/upload-extend',
    schema: uploadExtendRequest,
    async plan(body) {
      const input: SongInput = {
        lyrics: body.prompt?.trim() ? body.prompt : undefined,
        description: body.title ?? 'uploaded audio',
        title: body.title,
        style: body.style,
        instrumental: body.instrumental,
        model: body.model,
      };
      return (taskId) => extensionContent(taskId, input, uploadSound(body.uploadUrl), body.continueAt, 'whole', options.clipSeconds);
    },
  };

  const addVocals: Route<typeof addVocalsRequest> = {
    route: ADD_VOCALS_ROUTE,
    path: '/suno/add-vocals',
    schema: addVocalsRequest,
    async plan(body) {
      const input: SongInput = { lyrics: body.prompt, title: body.title, style: body.style, instrumental: false, model: body.model ?? 'V5' };
      // The upload is the accompaniment; the new lead line sings over it.
      return (taskId) => overlayContent(taskId, input, uploadSound(body.uploadUrl, 'keys'), ['lead']);
    },
  };

  const addInstrumental: Route<typeof addInstrumentalRequest> = {
    route: ADD_INSTRUMENTAL_ROUTE,
    path: '/suno/add-instrumental',
    schema: addInstrumentalRequest,
    async plan(body) {
      const input: SongInput = { description: body.title, title: body.title, style: body.tags, instrumental: false, model: body.model ?? 'V5' };
      // The upload is the voice; the accompaniment is new.
      return (taskId) => overlayContent(taskId, input, uploadSound(body.uploadUrl, 'lead'), ACCOMPANIMENT);
    },
  };

  const replaceSection: Route<typeof replaceSectionRequest> = {
    route: REPLACE_SECTION_ROUTE,
    path: '/suno/replace-section',
    schema: replaceSectionRequest,
    async plan(body) {
      const source = sourceClip(body.taskId, body.audioId);
      if (typeof source === 'string') return source;
      const late = await pastEnd(source.clip, 'infillEndS', body.infillEndS, false);
      if (late) return late;
      const input: SongInput = {
        lyrics: body.prompt,
        title: body.title,
        style: body.tags,
        instrumental: source.song.content.instrumental,
        model: source.song.content.model,
      };
      const sound = sourceSound(source.clip, options.clipSeconds);
      return (taskId) => replaceSectionContent(taskId, input, sound, body.infillStartS, body.infillEndS);
    },
  };

  // Each entry pairs its schema with a plan that reads that schema's output.
  const routes = [extend, uploadCover, uploadExtend, addVocals, addInstrumental, replaceSection] as unknown as Route<
    z.ZodType<{ callBackUrl: string }>
  >[];

  for (const spec of routes) {
    app.post(spec.path, async (request, reply) => {
      const checked = check(spec.schema, request.body);
      if (!checked.ok) return tools.reject(reply, 400, checked.message);
      const planned = await spec.plan(checked.value);
      if (typeof planned === 'string') return tools.reject(reply, 400, planned);
      const task = store.create({
        dialect: tools.dialect,
        route: spec.route,
        request: request.body,
        callbackUrl: checked.value.callBackUrl,
        timeline: songTimeline(options.stageDelaysMs),
        content: planned,
        onStage: options.sendCallbacks ? tools.onSongStage : undefined,
      });
      const song = asSongTask(task);
      if (song) prepareSongMedia(song.content, media, context.log);
      tools.recordPaidSubmit(task);
      return successEnvelope({ taskId: task.id });
    });
  }

  // Answered in the submit itself; still a (paid) task, so the ledger and journal record it.
  app.post('/suno/style-generate', async (request, reply) => {
    const checked = check(styleGenerateRequest, request.body);
    if (!checked.ok) return tools.reject(reply, 400, checked.message);
    const expanded = expandStyle(checked.value.content);
    const task = store.create({
      dialect: tools.dialect,
      route: STYLE_GENERATE_ROUTE,
      request: request.body,
      timeline: immediateTimeline(),
      content: () => ({ kind: 'lyrics', variants: [{ title: 'style', text: expanded }] }),
    });
    tools.recordPaidSubmit(task);
    return successEnvelope({ taskId: task.id, result: expanded });
  });
}
