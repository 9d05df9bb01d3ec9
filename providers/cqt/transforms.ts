// The transforms on the CQTAI gateway (docs/transforms-wire.md, "cqt"): every one is a `task` on
// `POST /api/cqt/generator/suno` with camelCase fields. The canonical request is checked first (a
// missing source, a section ending before it starts, a negative continueAt throw here, naming the
// canonical field, before any HTTP is built); the wire body is then validated strictly.
import { z } from 'zod';
import type { HttpCall } from '../adapter';
import type { ClipRef, Section, TransformKind, TransformRequest } from '../model';
import { dropUndefined, parseOrThrow, WireFormatError } from '../wire';
import { GENERATOR_PATH, songOptionWire } from './requests';

const DESCRIPTION_MAX = 400;
const TITLE_MAX = 80;
const SOUND_EFFECT_SECONDS = { min: 1, max: 30 } as const;

const text = (max?: number) => (max === undefined ? z.string().min(1) : z.string().min(1).max(max));
const weight = z.number().min(0).max(1).optional();
const seconds = z.number().finite().nonnegative();
const audioUrl = z.url({ protocol: /^https?$/ });

/** The song fields every clip-making task shares (the page's "song fields"). */
export const songWireFields = {
  model: text(),
  customMode: z.boolean(),
  makeInstrumental: z.boolean(),
  prompt: text(5000).optional(),
  tags: text(1000).optional(),
  negativeTags: text(1000).optional(),
  title: text(TITLE_MAX).optional(),
  vocalGender: z.enum(['m', 'f']).optional(),
  styleWeight: weight,
  weirdnessConstraint: weight,
  audioWeight: weight,
  personaId: text().optional(),
};

type SongWire = { customMode: boolean; makeInstrumental: boolean; prompt?: string };

/** Custom mode sings `prompt` (lyrics) unless instrumental; inspiration mode's prompt is a short description. */
function songModeIssues(b: SongWire, ctx: z.RefinementCtx): void {
  if (b.customMode && !b.makeInstrumental && b.prompt === undefined) ctx.addIssue({ code: 'custom', path: ['prompt'], message: 'custom mode needs lyrics unless instrumental' });
  if (!b.customMode && b.prompt !== undefined && b.prompt.length > DESCRIPTION_MAX) ctx.addIssue({ code: 'custom', path: ['prompt'], message: `a description is at most ${DESCRIPTION_MAX} characters` });
}

function spanIssues(start: number | undefined, end: number | undefined, names: [string, string], ctx: z.RefinementCtx): void {
  if ((start === undefined) !== (end === undefined)) ctx.addIssue({ code: 'custom', path: [start === undefined ? names[0] : names[1]], message: `${names[0]} and ${names[1]} go together` });
  if (start !== undefined && end !== undefined && end <= start) ctx.addIssue({ code: 'custom', path: [names[1]], message: `must be after ${names[0]}` });
}

function oneSourceIssues(b: { clipId?: string; audioUrl?: string }, ctx: z.RefinementCtx): void {
  if ((b.clipId === undefined) === (b.audioUrl === undefined)) ctx.addIssue({ code: 'custom', path: ['clipId'], message: 'exactly one of clipId and audioUrl' });
}

export const extendBody = z.strictObject({ task: z.literal('extend'), clipId: text(), continueAt: seconds, ...songWireFields }).superRefine(songModeIssues);
export const coverBody = z.strictObject({ task: z.literal('cover'), clipId: text(), ...songWireFields }).superRefine(songModeIssues);
export const uploadExtendBody = z.strictObject({ task: z.literal('upload_extend'), audioUrl, continueAt: seconds, ...songWireFields }).superRefine(songModeIssues);
export const uploadCoverBody = z.strictObject({ task: z.literal('upload_cover'), audioUrl, ...songWireFields }).superRefine(songModeIssues);
export const reuseStyleBody = z.strictObject({ task: z.literal('reuse_style'), clipId: text(), prompt: text(5000), title: text(TITLE_MAX).optional(), model: text().optional() });
export const replaceSectionBody = z
  .strictObject({ task: z.literal('replace_section'), clipId: text(), infillStartS: seconds, infillEndS: seconds, prompt: text(5000), tags: text(1000).optional(), title: text(TITLE_MAX).optional() })
  .superRefine((b, ctx) => spanIssues(b.infillStartS, b.infillEndS, ['infillStartS', 'infillEndS'], ctx));
const paintFields = {
  clipId: text().optional(),
  audioUrl: audioUrl.optional(),
  infillStartS: seconds.optional(),
  infillEndS: seconds.optional(),
  tags: text(1000).optional(),
  title: text(TITLE_MAX).optional(),
  model: text().optional(),
};
export const addInstrumentalBody = z.strictObject({ task: z.literal('add_instrumental'), ...paintFields }).superRefine((b, ctx) => {
  oneSourceIssues(b, ctx);
  spanIssues(b.infillStartS, b.infillEndS, ['infillStartS', 'infillEndS'], ctx);
});
export const addVocalsBody = z.strictObject({ task: z.literal('add_vocals'), ...paintFields, prompt: text(5000) }).superRefine((b, ctx) => {
  oneSourceIssues(b, ctx);
  spanIssues(b.infillStartS, b.infillEndS, ['infillStartS', 'infillEndS'], ctx);
});
export const mashupBody = z.strictObject({ task: z.literal('mashup'), clipIds: z.array(text()).length(2), ...songWireFields }).superRefine(songModeIssues);
export const sampleBody = z
  .strictObject({ task: z.literal('sample'), clipId: text().optional(), audioUrl: audioUrl.optional(), sampleStartS: seconds.optional(), sampleEndS: seconds.optional(), ...songWireFields })
  .superRefine((b, ctx) => {
    oneSourceIssues(b, ctx);
    spanIssues(b.sampleStartS, b.sampleEndS, ['sampleStartS', 'sampleEndS'], ctx);
    songModeIssues(b, ctx);
  });
export const soundEffectBody = z.strictObject({ task: z.literal('sound_effect'), prompt: text(5000), durationS: z.number().min(SOUND_EFFECT_SECONDS.min).max(SOUND_EFFECT_SECONDS.max) });
export const remasterBody = z.strictObject({ task: z.literal('remaster'), clipId: text(), model: text().optional() });
export const uploadBody = z.strictObject({ task: z.literal('upload'), audioUrl });
export const mergeBody = z.strictObject({ task: z.literal('merge'), clipIds: z.array(text()).min(2) });
/** Audio Editing: the section of a clip alone, `cropStartS` to `cropEndS`. */
export const cropBody = z
  .strictObject({ task: z.literal('crop'), clipId: text(), cropStartS: seconds, cropEndS: seconds, title: text(TITLE_MAX).optional() })
  .superRefine((b, ctx) => spanIssues(b.cropStartS, b.cropEndS, ['cropStartS', 'cropEndS'], ctx));
/** A new song in the manner of a playlist of reference songs the gateway keeps. */
export const inspirationBody = z.strictObject({
  task: z.literal('inspiration'),
  model: text(),
  playlistId: text(),
  prompt: text(DESCRIPTION_MAX).optional(),
  styleWeight: weight,
  weirdnessConstraint: weight,
  audioWeight: weight,
  personaId: text().optional(),
});
export const videoBody = z.strictObject({ task: z.literal('video'), clipId: text(), prompt: text(5000).optional() });
export const enhanceTagsBody = z.strictObject({ task: z.literal('enhance_tags'), tags: text(1000) });

/** The `task` value of each transform kind this dialect builds (vox has none on the gateway). */
export const TRANSFORM_TASKS = {
  extend: 'extend',
  cover: 'cover',
  'upload-extend': 'upload_extend',
  'upload-cover': 'upload_cover',
  'reuse-style': 'reuse_style',
  'replace-section': 'replace_section',
  'add-instrumental': 'add_instrumental',
  'add-vocals': 'add_vocals',
  mashup: 'mashup',
  sample: 'sample',
  'sound-effect': 'sound_effect',
  remaster: 'remaster',
  upload: 'upload',
  concat: 'merge',
  crop: 'crop',
  inspiration: 'inspiration',
} as const satisfies Partial<Record<TransformKind, string>>;
export type CqtTransformKind = keyof typeof TRANSFORM_TASKS;

/** The canonical fields a song-field task can send. */
const SONG_FIELDS = ['prompt', 'lyrics', 'style', 'negativeStyle', 'title', 'model', 'instrumental', 'weights.weirdness', 'weights.style', 'weights.audio', 'vocalGender', 'personaId'] as const;

/** Per kind, the canonical fields the page lets us send (anything else is refused by name). */
export const CQT_TRANSFORM_FIELDS = {
  extend: ['sources', 'continueAt', ...SONG_FIELDS],
  cover: ['sources', ...SONG_FIELDS],
  'upload-extend': ['audioUrl', 'continueAt', ...SONG_FIELDS],
  'upload-cover': ['audioUrl', ...SONG_FIELDS],
  'reuse-style': ['sources', 'lyrics', 'title', 'model'],
  'replace-section': ['sources', 'section', 'lyrics', 'style', 'title'],
  'add-instrumental': ['sources', 'audioUrl', 'section', 'style', 'title', 'model'],
  'add-vocals': ['sources', 'audioUrl', 'section', 'lyrics', 'style', 'title', 'model'],
  mashup: ['sources', ...SONG_FIELDS],
  sample: ['sources', 'audioUrl', 'section', ...SONG_FIELDS],
  'sound-effect': ['prompt', 'seconds'],
  remaster: ['sources', 'model'],
  upload: ['audioUrl'],
  concat: ['sources'],
  crop: ['sources', 'section', 'title'],
  // The gateway's inspiration reads a playlist it keeps, not reference clips or URLs.
  inspiration: ['playlistId', 'prompt', 'model', 'weights.weirdness', 'weights.style', 'weights.audio', 'personaId'],
} as const satisfies Record<CqtTransformKind, readonly string[]>;

function invalid(kind: string, field: string, problem: string): WireFormatError {
  return new WireFormatError(`cqt ${kind} request`, `${field}: ${problem}`);
}

function call(body: unknown): HttpCall {
  return { method: 'POST', path: GENERATOR_PATH, body };
}

/** The sources list, of exactly `count` clips (or at least `count` when `atLeast`). */
function clips(kind: string, t: TransformRequest, count: number, atLeast = false): ClipRef[] {
  const list = t.sources ?? [];
  if (atLeast ? list.length < count : list.length !== count) {
    const wanted = atLeast ? `at least ${count} clips` : count === 1 ? 'one clip' : `${count} clips`;
    throw invalid(kind, 'sources', `${kind} takes ${wanted}, got ${list.length}`);
  }
  list.forEach((ref, i) => {
    if (!ref?.clipId) throw invalid(kind, `sources.${i}.clipId`, 'required');
  });
  return list;
}

/** One clip or the user's audio, never both: the kinds that take either. */
function clipOrAudio(kind: string, t: TransformRequest): { clipId?: string; audioUrl?: string; source?: ClipRef } {
  const hasSources = (t.sources?.length ?? 0) > 0;
  if (hasSources && t.audioUrl !== undefined) throw invalid(kind, 'sources', 'give a source clip or audioUrl, not both');
  if (!hasSources && t.audioUrl === undefined) throw invalid(kind, 'sources', 'a source clip or audioUrl is required');
  if (t.audioUrl !== undefined) return { audioUrl: t.audioUrl };
  const [source] = clips(kind, t, 1);
  return { clipId: source!.clipId, source };
}

function requiredAudioUrl(kind: string, t: TransformRequest): string {
  if (!t.audioUrl) throw invalid(kind, 'audioUrl', 'required');
  return t.audioUrl;
}

function continueAtOf(kind: string, t: TransformRequest, source?: ClipRef): number {
  // Without a point, an extension continues from the end of a clip whose length we know.
  const at = t.continueAt ?? source?.durationSeconds;
  if (at === undefined) throw invalid(kind, 'continueAt', 'required');
  if (!Number.isFinite(at) || at < 0) throw invalid(kind, 'continueAt', `must be a number of seconds, at least 0 (got ${at})`);
  if (source?.durationSeconds !== undefined && at > source.durationSeconds) throw invalid(kind, 'continueAt', `${at} s is past the end of the source (${source.durationSeconds} s)`);
  return at;
}

function sectionOf(kind: string, section: Section | undefined, source: ClipRef | undefined, required: boolean): Section | undefined {
  if (section === undefined) {
    if (required) throw invalid(kind, 'section', 'required');
    return undefined;
  }
  const { start, end } = section;
  if (!Number.isFinite(start) || start < 0) throw invalid(kind, 'section.start', `must be a number of seconds, at least 0 (got ${start})`);
  if (!Number.isFinite(end) || end <= start) throw invalid(kind, 'section.end', `must be after section.start (${start} s), got ${end}`);
  if (source?.durationSeconds !== undefined && end > source.durationSeconds) throw invalid(kind, 'section.end', `${end} s is past the end of the source (${source.durationSeconds} s)`);
  return section;
}

function lyricsOf(kind: string, t: TransformRequest): string {
  if (!t.lyrics?.trim()) throw invalid(kind, 'lyrics', 'required');
  return t.lyrics;
}

/**
 * The song fields of a clip-making transform. Custom mode when there are lyrics or the result is
 * instrumental: `prompt` carries the lyrics, `tags` the style (or, without one, the description).
 * Inspiration mode otherwise: `prompt` is the description. A description that neither mode can carry
 * beside lyrics and a style is refused rather than dropped.
 */
function songFieldsOf(kind: string, t: TransformRequest, model: string) {
  const instrumental = t.instrumental ?? false;
  if (instrumental && t.lyrics !== undefined) throw invalid(kind, 'lyrics', 'an instrumental takes no lyrics');
  const customMode = t.lyrics !== undefined || instrumental;
  if (customMode && t.style !== undefined && t.prompt !== undefined) throw invalid(kind, 'prompt', 'with lyrics (or instrumental) and a style, cqt has no field for a description');
  return {
    model,
    customMode,
    makeInstrumental: instrumental,
    prompt: customMode ? t.lyrics : t.prompt,
    tags: customMode ? (t.style ?? t.prompt) : t.style,
    title: t.title,
    personaId: t.personaId,
    ...songOptionWire(t),
  };
}

/** The request for a transform; `resolveModel` turns a canonical model name into the gateway's. */
export function transformCall(kind: CqtTransformKind, t: TransformRequest, resolveModel: (name: string | undefined) => string): HttpCall {
  const task = TRANSFORM_TASKS[kind];
  const what = `cqt ${task} request`;
  const optionalModel = t.model === undefined ? undefined : resolveModel(t.model);
  const song = () => songFieldsOf(kind, t, resolveModel(t.model));
  const send = <S extends z.ZodType>(schema: S, body: Record<string, unknown>) => call(parseOrThrow(schema, dropUndefined(body), what));

  switch (kind) {
    case 'extend': {
      const [source] = clips(kind, t, 1);
      return send(extendBody, { task, clipId: source!.clipId, continueAt: continueAtOf(kind, t, source), ...song() });
    }
    case 'cover': {
      const [source] = clips(kind, t, 1);
      return send(coverBody, { task, clipId: source!.clipId, ...song() });
    }
    case 'upload-extend': {
      const url = requiredAudioUrl(kind, t);
      return send(uploadExtendBody, { task, audioUrl: url, continueAt: continueAtOf(kind, t), ...song() });
    }
    case 'upload-cover':
      return send(uploadCoverBody, { task, audioUrl: requiredAudioUrl(kind, t), ...song() });
    case 'reuse-style': {
      const [source] = clips(kind, t, 1);
      return send(reuseStyleBody, { task, clipId: source!.clipId, prompt: lyricsOf(kind, t), title: t.title, model: optionalModel });
    }
    case 'replace-section': {
      const [source] = clips(kind, t, 1);
      const section = sectionOf(kind, t.section, source, true)!;
      return send(replaceSectionBody, { task, clipId: source!.clipId, infillStartS: section.start, infillEndS: section.end, prompt: lyricsOf(kind, t), tags: t.style, title: t.title });
    }
    case 'add-instrumental':
    case 'add-vocals': {
      const { source, ...from } = clipOrAudio(kind, t);
      const section = sectionOf(kind, t.section, source, false);
      const common = { task, ...from, infillStartS: section?.start, infillEndS: section?.end, tags: t.style, title: t.title, model: optionalModel };
      return kind === 'add-vocals' ? send(addVocalsBody, { ...common, prompt: lyricsOf(kind, t) }) : send(addInstrumentalBody, common);
    }
    case 'mashup':
      return send(mashupBody, { task, clipIds: clips(kind, t, 2).map((c) => c.clipId), ...song() });
    case 'sample': {
      const { source, ...from } = clipOrAudio(kind, t);
      const section = sectionOf(kind, t.section, source, false);
      return send(sampleBody, { task, ...from, sampleStartS: section?.start, sampleEndS: section?.end, ...song() });
    }
    case 'sound-effect': {
      if (!t.prompt?.trim()) throw invalid(kind, 'prompt', 'required');
      const length = t.seconds;
      if (length === undefined) throw invalid(kind, 'seconds', 'required');
      if (!Number.isFinite(length) || length < SOUND_EFFECT_SECONDS.min || length > SOUND_EFFECT_SECONDS.max) {
        throw invalid(kind, 'seconds', `must be from ${SOUND_EFFECT_SECONDS.min} to ${SOUND_EFFECT_SECONDS.max} (got ${length})`);
      }
      return send(soundEffectBody, { task, prompt: t.prompt, durationS: length });
    }
    case 'remaster': {
      const [source] = clips(kind, t, 1);
      return send(remasterBody, { task, clipId: source!.clipId, model: optionalModel });
    }
    case 'upload':
      return send(uploadBody, { task, audioUrl: requiredAudioUrl(kind, t) });
    case 'concat':
      return send(mergeBody, { task, clipIds: clips(kind, t, 2, true).map((c) => c.clipId) });
    case 'crop': {
      const [source] = clips(kind, t, 1);
      const section = sectionOf(kind, t.section, source, true)!;
      return send(cropBody, { task, clipId: source!.clipId, cropStartS: section.start, cropEndS: section.end, title: t.title });
    }
    case 'inspiration': {
      if (!t.playlistId?.trim()) throw invalid(kind, 'playlistId', 'required (cqt inspires from a playlist it keeps)');
      if (t.prompt !== undefined && t.prompt.length > DESCRIPTION_MAX) throw invalid(kind, 'prompt', `at most ${DESCRIPTION_MAX} characters, got ${t.prompt.length}`);
      return send(inspirationBody, { task, model: resolveModel(t.model), playlistId: t.playlistId, prompt: t.prompt, personaId: t.personaId, ...songOptionWire(t) });
    }
  }
}

export function videoCall(source: ClipRef, prompt: string | undefined): HttpCall {
  return call(parseOrThrow(videoBody, dropUndefined({ task: 'video', clipId: source.clipId, prompt }), 'cqt video request'));
}

export function enhanceTagsCall(tags: string): HttpCall {
  return call(parseOrThrow(enhanceTagsBody, { task: 'enhance_tags', tags }, 'cqt enhance_tags request'));
}
