// What we send to AnyInt for the transforms, as docs/transforms-wire.md reads the seed: extend,
// upload-cover, upload-extend, add-vocals, add-instrumental, replace-section, and style-generate.
// Two layers: the canonical TransformRequest is checked first (a missing source, a section that ends
// before it starts, a negative continueAt...), with errors naming the canonical field; then the wire
// body is validated by a strict schema, so an unknown or missing wire field is our bug, caught
// before the wire.
import { z } from 'zod';
import type { HttpCall } from '../adapter';
import type { ClipRef, TransformField, TransformKind, TransformRequest, VocalGender } from '../model';
import { dropUndefined, parseOrThrow, WireFormatError } from '../wire';

/** The transforms this dialect builds (`style` is a step of its own, not a transform). */
export const ANYINT_TRANSFORMS = ['extend', 'upload-cover', 'upload-extend', 'add-vocals', 'add-instrumental', 'replace-section'] as const;
export type AnyintTransform = (typeof ANYINT_TRANSFORMS)[number];

export function isAnyintTransform(kind: string): kind is AnyintTransform {
  return (ANYINT_TRANSFORMS as readonly string[]).includes(kind);
}

/** The song options every clip-making route of the family takes (negativeTags, vocalGender, the sliders). */
const SONG_OPTIONS = ['negativeStyle', 'vocalGender', 'weights.style', 'weights.weirdness'] as const;

/** The canonical fields each transform can send; any other field set on a request is refused by name. */
export const ANYINT_TRANSFORM_FIELDS = {
  extend: ['sources', 'continueAt', 'prompt', 'lyrics', 'style', 'title', 'model', 'personaId', ...SONG_OPTIONS],
  'upload-cover': ['audioUrl', 'instrumental', 'prompt', 'lyrics', 'style', 'title', 'model', ...SONG_OPTIONS, 'weights.audio'],
  'upload-extend': ['audioUrl', 'continueAt', 'instrumental', 'prompt', 'lyrics', 'style', 'title', 'model', ...SONG_OPTIONS, 'weights.audio'],
  'add-vocals': ['sources', 'audioUrl', 'prompt', 'lyrics', 'style', 'title', 'model', ...SONG_OPTIONS, 'weights.audio'],
  'add-instrumental': ['sources', 'audioUrl', 'style', 'title', 'model', ...SONG_OPTIONS, 'weights.audio'],
  'replace-section': ['sources', 'section', 'prompt', 'lyrics', 'style', 'title', 'negativeStyle'],
} as const satisfies Record<AnyintTransform, readonly TransformField[]>;

// ---- Wire bodies (strict) ----

const id = z.string().min(1);
const weight = z.number().min(0).max(1);
const lyricsText = z.string().min(1).max(5000);
const styleText = z.string().min(1).max(1000);
const titleText = z.string().min(1).max(100);
const seconds = z.number().nonnegative();

/** negativeTags, vocalGender (m/f), styleWeight, weirdnessConstraint: optional on every clip-making route. */
const songOptions = {
  negativeTags: styleText.optional(),
  vocalGender: z.enum(['m', 'f']).optional(),
  styleWeight: weight.optional(),
  weirdnessConstraint: weight.optional(),
};

export const extendBody = z.strictObject({
  callBackUrl: z.url(),
  taskId: id,
  audioId: id,
  defaultParamFlag: z.literal(true),
  continueAt: seconds,
  model: id,
  prompt: lyricsText.optional(),
  style: styleText.optional(),
  title: titleText.optional(),
  personaId: id.optional(),
  ...songOptions,
});

export const uploadCoverBody = z
  .strictObject({
    callBackUrl: z.url(),
    uploadUrl: z.url(),
    customMode: z.boolean(),
    instrumental: z.boolean(),
    model: id,
    prompt: lyricsText.optional(),
    style: styleText.optional(),
    title: titleText.optional(),
    ...songOptions,
    audioWeight: weight.optional(),
  })
  .refine((b) => !b.customMode || (b.style !== undefined && b.title !== undefined && (b.instrumental || b.prompt !== undefined)), {
    message: 'custom mode needs style and title, and lyrics (prompt) unless instrumental',
    path: ['style'],
  })
  .refine((b) => b.customMode || (b.prompt !== undefined && b.style === undefined && b.title === undefined), {
    message: 'simple mode sends only a description (prompt)',
    path: ['prompt'],
  });

export const uploadExtendBody = z.strictObject({
  callBackUrl: z.url(),
  uploadUrl: z.url(),
  defaultParamFlag: z.literal(true),
  instrumental: z.boolean(),
  continueAt: seconds,
  model: id,
  prompt: lyricsText.optional(),
  style: styleText.optional(),
  title: titleText.optional(),
  ...songOptions,
  audioWeight: weight.optional(),
});

export const addVocalsBody = z.strictObject({
  callBackUrl: z.url(),
  uploadUrl: z.url(),
  prompt: lyricsText,
  title: titleText,
  style: styleText,
  ...songOptions,
  audioWeight: weight.optional(),
  model: id.optional(),
});

export const addInstrumentalBody = z.strictObject({
  callBackUrl: z.url(),
  uploadUrl: z.url(),
  title: titleText,
  tags: styleText,
  ...songOptions,
  audioWeight: weight.optional(),
  model: id.optional(),
});

export const replaceSectionBody = z
  .strictObject({
    callBackUrl: z.url(),
    taskId: id,
    audioId: id,
    infillStartS: seconds,
    infillEndS: seconds,
    prompt: lyricsText,
    tags: styleText,
    title: titleText,
    negativeTags: styleText.optional(),
  })
  .refine((b) => b.infillEndS > b.infillStartS, { message: 'must be after infillStartS', path: ['infillEndS'] });

/** style-generate answers at once (like persona), so it takes no callback. */
export const styleGenerateBody = z.strictObject({ content: z.string().min(1).max(5000) });

// ---- Canonical checks, before any body is built ----

function invalid(kind: string, field: string, message: string): never {
  throw new WireFormatError(`anyint ${kind} request`, `${field}: ${message}`);
}

/** The one clip a transform works on, with both of its ids. */
function oneSource(kind: TransformKind, t: TransformRequest): ClipRef {
  const sources = t.sources ?? [];
  if (sources.length === 0) invalid(kind, 'sources', 'required: the clip to work on');
  if (sources.length > 1) invalid(kind, 'sources', `takes one clip, got ${sources.length}`);
  const source = sources[0]!;
  if (!source.taskId) invalid(kind, 'sources[0].taskId', 'required');
  if (!source.clipId) invalid(kind, 'sources[0].clipId', 'required');
  return source;
}

/** The audio to work on as a URL: the user's own (`audioUrl`) or a clip's (`sources[0].audioUrl`), not both. */
function audioToUpload(kind: TransformKind, t: TransformRequest): { url: string; source?: ClipRef } {
  const hasSources = (t.sources ?? []).length > 0;
  if (t.audioUrl !== undefined && hasSources) invalid(kind, 'audioUrl', 'give the audio as audioUrl or as a source clip, not both');
  if (t.audioUrl !== undefined) return { url: t.audioUrl };
  if (!hasSources) invalid(kind, 'audioUrl', 'required (or one source clip)');
  if (t.sources!.length > 1) invalid(kind, 'sources', `takes one clip, got ${t.sources!.length}`);
  const source = t.sources![0]!;
  if (!source.audioUrl) invalid(kind, 'sources[0].audioUrl', `required: anyint ${kind} takes the source as a URL`);
  return { url: source.audioUrl, source };
}

/** The words sung: the family has one `prompt` field for both, so a request may give one of them. */
function words(kind: TransformKind, t: TransformRequest): string | undefined {
  if (t.prompt !== undefined && t.lyrics !== undefined) invalid(kind, 'prompt', `anyint ${kind} sends lyrics or prompt as its one prompt field, not both`);
  return t.lyrics ?? t.prompt;
}

function checkSeconds(kind: TransformKind, field: string, value: number, source?: ClipRef): number {
  if (!Number.isFinite(value) || value < 0) invalid(kind, field, `must be a number of seconds, not negative (got ${value})`);
  const duration = source?.durationSeconds;
  if (duration !== undefined && value > duration) invalid(kind, field, `${value} s is beyond the source's ${duration} s`);
  return value;
}

function checkWeights(kind: TransformKind, t: TransformRequest): void {
  for (const [name, value] of Object.entries(t.weights ?? {})) {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0 && value <= 1)) invalid(kind, `weights.${name}`, `must be between 0 and 1 (got ${value})`);
  }
}

const GENDERS: Record<VocalGender, 'm' | 'f'> = { male: 'm', female: 'f' };

/** negativeStyle, vocalGender, weights.style and weights.weirdness under the family's names. */
function songOptionsOf(t: TransformRequest) {
  return {
    negativeTags: t.negativeStyle,
    vocalGender: t.vocalGender === undefined ? undefined : GENDERS[t.vocalGender],
    styleWeight: t.weights?.style,
    weirdnessConstraint: t.weights?.weirdness,
  };
}

/**
 * upload-cover's two modes, chosen as for songs: custom mode carries our lyrics (or, for an
 * instrumental, our style and title), with the style taken from the description when none is given;
 * simple mode carries only the description.
 */
function coverMode(t: TransformRequest) {
  const kind = 'upload-cover';
  const instrumental = t.instrumental ?? false;
  if (instrumental && t.lyrics !== undefined) invalid(kind, 'lyrics', 'an instrumental cover has no lyrics');
  const custom = t.lyrics !== undefined || (instrumental && (t.style !== undefined || t.title !== undefined));
  if (custom) {
    if (t.prompt !== undefined && t.style !== undefined) invalid(kind, 'prompt', 'custom mode sends lyrics, style and title; a description cannot go with a style');
    const style = t.style ?? t.prompt;
    if (style === undefined) invalid(kind, 'style', 'required in custom mode (or a prompt to take it from)');
    return { customMode: true, instrumental, prompt: t.lyrics, style, title: t.title ?? 'Untitled' };
  }
  if (t.style !== undefined) invalid(kind, 'style', 'a sung cover takes a style only with lyrics (custom mode)');
  if (t.title !== undefined) invalid(kind, 'title', 'a sung cover takes a title only with lyrics (custom mode)');
  if (t.prompt === undefined) invalid(kind, 'prompt', 'required: a description (or lyrics with a style)');
  return { customMode: false, instrumental, prompt: t.prompt };
}

/**
 * The request for a transform. `model` is the resolved model name (the dialect's newest when the
 * request names none), sent where the route requires one; routes where it is optional get it only
 * when the request names one.
 */
export function transformCall(kind: AnyintTransform, t: TransformRequest, callBackUrl: string, resolveModel: (name: string | undefined) => string): HttpCall {
  checkWeights(kind, t);
  const what = `anyint ${kind} request`;
  const optionalModel = t.model === undefined ? undefined : resolveModel(t.model);
  switch (kind) {
    case 'extend': {
      const source = oneSource(kind, t);
      const continueAt = t.continueAt ?? source.durationSeconds;
      if (continueAt === undefined) invalid(kind, 'continueAt', 'required (the source clip has no known duration to extend from)');
      const body = {
        callBackUrl,
        taskId: source.taskId,
        audioId: source.clipId,
        defaultParamFlag: true,
        continueAt: checkSeconds(kind, 'continueAt', continueAt, source),
        model: resolveModel(t.model),
        prompt: words(kind, t),
        style: t.style,
        title: t.title,
        personaId: t.personaId,
        ...songOptionsOf(t),
      };
      return { method: 'POST', path: '/suno/extend', body: parseOrThrow(extendBody, dropUndefined(body), what) };
    }
    case 'upload-cover': {
      const { url } = audioToUpload(kind, t);
      const body = { callBackUrl, uploadUrl: url, ...coverMode(t), model: resolveModel(t.model), ...songOptionsOf(t), audioWeight: t.weights?.audio };
      return { method: 'POST', path: '/suno/upload-cover', body: parseOrThrow(uploadCoverBody, dropUndefined(body), what) };
    }
    case 'upload-extend': {
      const { url } = audioToUpload(kind, t);
      if (t.continueAt === undefined) invalid(kind, 'continueAt', 'required: where in the uploaded audio to continue');
      const body = {
        callBackUrl,
        uploadUrl: url,
        defaultParamFlag: true,
        instrumental: t.instrumental ?? false,
        continueAt: checkSeconds(kind, 'continueAt', t.continueAt),
        model: resolveModel(t.model),
        prompt: words(kind, t),
        style: t.style,
        title: t.title,
        ...songOptionsOf(t),
        audioWeight: t.weights?.audio,
      };
      return { method: 'POST', path: '/suno/upload-extend', body: parseOrThrow(uploadExtendBody, dropUndefined(body), what) };
    }
    case 'add-vocals': {
      const { url, source } = audioToUpload(kind, t);
      const prompt = words(kind, t);
      if (prompt === undefined) invalid(kind, 'lyrics', 'required: the words to sing (or a prompt)');
      if (t.style === undefined) invalid(kind, 'style', 'required: the style of the vocals');
      const body = {
        callBackUrl,
        uploadUrl: url,
        prompt,
        title: t.title ?? source?.title ?? 'Untitled',
        style: t.style,
        ...songOptionsOf(t),
        audioWeight: t.weights?.audio,
        model: optionalModel,
      };
      return { method: 'POST', path: '/suno/add-vocals', body: parseOrThrow(addVocalsBody, dropUndefined(body), what) };
    }
    case 'add-instrumental': {
      const { url, source } = audioToUpload(kind, t);
      if (t.style === undefined) invalid(kind, 'style', 'required: the style of the accompaniment');
      const body = {
        callBackUrl,
        uploadUrl: url,
        title: t.title ?? source?.title ?? 'Untitled',
        tags: t.style,
        ...songOptionsOf(t),
        audioWeight: t.weights?.audio,
        model: optionalModel,
      };
      return { method: 'POST', path: '/suno/add-instrumental', body: parseOrThrow(addInstrumentalBody, dropUndefined(body), what) };
    }
    case 'replace-section': {
      const source = oneSource(kind, t);
      const section = t.section;
      if (section === undefined) invalid(kind, 'section', 'required: the span to replace');
      const start = checkSeconds(kind, 'section.start', section.start, source);
      const end = checkSeconds(kind, 'section.end', section.end, source);
      if (end <= start) invalid(kind, 'section.end', `must be after section.start (${end} <= ${start})`);
      const prompt = words(kind, t);
      if (prompt === undefined) invalid(kind, 'lyrics', "required: the section's new lyrics (or a prompt)");
      if (t.style === undefined) invalid(kind, 'style', 'required: the style of the new section');
      const body = {
        callBackUrl,
        taskId: source.taskId,
        audioId: source.clipId,
        infillStartS: start,
        infillEndS: end,
        prompt,
        tags: t.style,
        title: t.title ?? source.title ?? 'Untitled',
        negativeTags: t.negativeStyle,
      };
      return { method: 'POST', path: '/suno/replace-section', body: parseOrThrow(replaceSectionBody, dropUndefined(body), what) };
    }
  }
}

export function styleGenerateCall(prompt: string): HttpCall {
  if (prompt.trim() === '') invalid('style', 'style.prompt', 'required: the rough style to expand');
  return { method: 'POST', path: '/suno/style-generate', body: parseOrThrow(styleGenerateBody, { content: prompt }, 'anyint style request') };
}
