// What we send to AceData Cloud, validated strictly: songs and stem separation go to the one
// `POST /suno/audios` route with an `action`; lyrics, persona, WAV, MP4 and word timings have their
// own routes; tasks are read back with `POST /suno/tasks`.
import { z } from 'zod';
import type { HttpCall } from '../adapter';
import type { ClipRef, Section, SongRequest, TransformKind, TransformRequest, Weights } from '../model';
import { parseOrThrow, dropUndefined } from '../wire';

/** The `action` values of /suno/audios this adapter sends. */
export const AUDIO_ACTIONS = [
  'generate',
  'artist_consistency',
  'stems',
  'all_stems',
  'extend',
  'concat',
  'cover',
  'upload_cover',
  'upload_extend',
  'artist_consistency_vox',
  'replace_section',
  'underpainting',
  'overpainting',
  'samples',
  'remaster',
  'mashup',
  'inspo',
] as const;
export type AudioAction = (typeof AUDIO_ACTIONS)[number];

/** The seed: `audio_urls` holds 1 to 4 reference audios for `inspo`. */
export const INSPO_REFERENCES_MAX = 4;

/** The seed limits `prompt` to 200 characters. */
export const PROMPT_MAX = 200;

const seconds = z.number().min(0);
const weight = z.number().min(0).max(1);

export const audiosBody = z
  .strictObject({
    action: z.enum(AUDIO_ACTIONS),
    model: z.string().min(1).optional(),
    prompt: z.string().min(1).max(PROMPT_MAX).optional(),
    custom: z.boolean().optional(),
    instrumental: z.boolean().optional(),
    lyric: z.string().min(1).optional(),
    title: z.string().min(1).optional(),
    style: z.string().min(1).optional(),
    style_negative: z.string().min(1).optional(),
    vocal_gender: z.enum(['m', 'f']).optional(),
    variation_category: z.enum(['high', 'normal', 'subtle']).optional(),
    weirdness: weight.optional(),
    style_influence: weight.optional(),
    audio_weight: weight.optional(),
    persona_id: z.string().min(1).optional(),
    audio_id: z.string().min(1).optional(),
    mashup_audio_ids: z.array(z.string().min(1)).length(2).optional(),
    audio_urls: z.array(z.url({ protocol: /^https?$/ })).min(1).max(INSPO_REFERENCES_MAX).optional(),
    continue_at: seconds.optional(),
    replace_section_start: seconds.optional(),
    replace_section_end: seconds.optional(),
    underpainting_start: seconds.optional(),
    underpainting_end: seconds.optional(),
    overpainting_start: seconds.optional(),
    overpainting_end: seconds.optional(),
    samples_start: seconds.optional(),
    samples_end: seconds.optional(),
    callback_url: z.url().optional(),
    // Without it the request would stay open for the whole generation (minutes).
    async: z.literal(true),
  })
  .superRefine((body, ctx) => {
    const rule = ACTION_FIELDS[body.action];
    const present = Object.keys(body).filter((k) => !ALWAYS.includes(k));
    for (const field of rule.required) {
      if (!present.includes(field)) ctx.addIssue({ code: 'custom', path: [field], message: `required when action is ${body.action}` });
    }
    for (const field of present) {
      if (!rule.required.includes(field) && !rule.optional.includes(field)) ctx.addIssue({ code: 'custom', path: [field], message: `not taken when action is ${body.action}` });
    }
    if (rule.oneOf && !rule.oneOf.some((f) => present.includes(f))) {
      ctx.addIssue({ code: 'custom', path: [rule.oneOf[0]!], message: `${rule.oneOf.join(' or ')} required when action is ${body.action}` });
    }
  });

const ALWAYS = ['action', 'callback_url', 'async'];
/** The song fields of the page (generate and the actions that make a song from a prompt). */
const SONG_FIELDS = ['variation_category', 'weirdness', 'style_influence', 'style_negative', 'vocal_gender'];
/** The same on actions that work on a clip: variation_category is a generation-only option. */
const CLIP_SONG_FIELDS = ['weirdness', 'style_influence', 'style_negative', 'vocal_gender'];
const GENERATE = ['model', 'prompt', 'custom', 'instrumental', 'lyric', 'title', 'style', 'persona_id', ...SONG_FIELDS];
const EXTEND = ['lyric', 'prompt', 'style', 'title', 'custom', 'instrumental', 'model', ...CLIP_SONG_FIELDS];
const COVER = ['style', 'lyric', 'prompt', 'title', 'custom', 'model', 'audio_weight', ...CLIP_SONG_FIELDS];

/** Per action, the fields of docs/transforms-wire.md: what must be sent and what may be. */
const ACTION_FIELDS: Record<AudioAction, { required: string[]; optional: string[]; oneOf?: string[] }> = {
  generate: { required: [], optional: GENERATE },
  artist_consistency: { required: ['persona_id'], optional: GENERATE },
  stems: { required: ['audio_id'], optional: [] },
  all_stems: { required: ['audio_id'], optional: [] },
  extend: { required: ['audio_id', 'continue_at'], optional: EXTEND },
  concat: { required: ['audio_id'], optional: [] },
  cover: { required: ['audio_id'], optional: COVER },
  // The seed's body has no audio_url: uploaded audio is the audio_id that /suno/upload answered.
  upload_cover: { required: ['audio_id'], optional: COVER },
  upload_extend: { required: ['audio_id', 'continue_at'], optional: EXTEND },
  artist_consistency_vox: { required: [], optional: ['persona_id', 'audio_id', 'lyric', 'prompt', 'style', 'title', 'custom', 'model'], oneOf: ['persona_id', 'audio_id'] },
  replace_section: { required: ['audio_id', 'replace_section_start', 'replace_section_end', 'lyric'], optional: ['prompt', 'style'] },
  underpainting: { required: ['audio_id'], optional: ['underpainting_start', 'underpainting_end', 'style', 'title'] },
  overpainting: { required: ['audio_id'], optional: ['overpainting_start', 'overpainting_end', 'lyric', 'prompt', 'style', 'title'] },
  samples: { required: ['audio_id'], optional: ['samples_start', 'samples_end', 'prompt', 'style', 'title'] },
  remaster: { required: ['audio_id'], optional: ['model'] },
  mashup: { required: ['mashup_audio_ids'], optional: ['prompt', 'style', 'title', 'model'] },
  inspo: { required: ['audio_urls'], optional: ['model', 'prompt', 'lyric', 'custom', 'instrumental', 'title', 'style'] },
};

export const lyricsBody = z.strictObject({ prompt: z.string().min(1) });

/** AceData's upload route (its upload guide): the user's audio by URL, answered at once with an audio_id. */
export const uploadBody = z.strictObject({ audio_url: z.url({ protocol: /^https?$/ }) });

export const personaBody = z.strictObject({
  audio_id: z.string().min(1),
  name: z.string().min(1),
  description: z.string().min(1).optional(),
});

export const wavBody = z.strictObject({
  audio_id: z.string().min(1),
  callback_url: z.url().optional(),
  async: z.literal(true),
});

/** MP4 and timing answer at once and take nothing but the clip. */
export const clipOnlyBody = z.strictObject({ audio_id: z.string().min(1) });

export const retrieveBody = z.strictObject({ id: z.string().min(1), action: z.literal('retrieve') });
export const retrieveBatchBody = z.strictObject({ ids: z.array(z.string().min(1)).min(1), action: z.literal('retrieve_batch') });

/**
 * The major version of an AceData model name (`chirp-v5-5` → 5.5, `chirp-v4-5-plus` → 4.5), or of
 * the code names Suno gives its models; undefined when the name says nothing we know.
 */
export function modelVersion(model: string): number | undefined {
  const numbered = /v(\d+)(?:[-.](\d))?/i.exec(model);
  if (numbered) return Number(numbered[1]) + (numbered[2] ? Number(numbered[2]) / 10 : 0);
  const CODE_NAMES: Record<string, number> = { crow: 5, bluejay: 4.5, auk: 4.5 };
  const code = Object.keys(CODE_NAMES).find((name) => model.toLowerCase().includes(name));
  return code ? CODE_NAMES[code] : undefined;
}

/** `variation_category` exists from v5 on; for an older (or unknown) model it is refused by name. */
function variationFor(song: SongRequest, model: string): SongRequest['variation'] {
  if (song.variation === undefined) return undefined;
  const version = modelVersion(model);
  if (version === undefined || version < 5) {
    throw new Error(`song: variation: acedata takes variation_category only for models v5 and above, and the model is ${model}`);
  }
  return song.variation;
}

const GENDER = { male: 'm', female: 'f' } as const;

/**
 * The advanced sliders. AceData applies weirdness and style influence in custom mode only, and the
 * audio weight only to covers; a slider that would be ignored is refused rather than paid for.
 */
function sliders(what: string, weights: Weights | undefined, custom: boolean, audio: boolean) {
  if (!weights) return {};
  const ignored = (field: string, why: string) => new Error(`${what}: weights.${field}: ${why}`);
  if (!custom && weights.weirdness !== undefined) throw ignored('weirdness', 'acedata applies it only in custom mode (with lyrics)');
  if (!custom && weights.style !== undefined) throw ignored('style', 'acedata applies it only in custom mode (with lyrics)');
  if (!audio && weights.audio !== undefined) throw ignored('audio', 'acedata applies the audio weight only to covers');
  for (const [field, value] of Object.entries(weights)) {
    if (value !== undefined && !(value >= 0 && value <= 1)) throw ignored(field, `must be between 0 and 1, got ${value}`);
  }
  return { weirdness: weights.weirdness, style_influence: weights.style, audio_weight: weights.audio };
}

/**
 * Custom mode when we bring lyrics, inspiration mode otherwise. An instrumental is described rather
 * than customized: this API refuses custom mode without lyrics. A persona song uses the
 * `artist_consistency` action.
 */
export function songCall(song: SongRequest, model: string, callbackUrl: string | undefined): HttpCall {
  const custom = Boolean(song.lyrics && !song.instrumental);
  const common = {
    action: song.personaId ? ('artist_consistency' as const) : ('generate' as const),
    model,
    persona_id: song.personaId,
    style_negative: song.negativeStyle,
    vocal_gender: song.vocalGender && GENDER[song.vocalGender],
    variation_category: variationFor(song, model),
    ...sliders('song', song.weights, custom, false),
    callback_url: callbackUrl,
    async: true as const,
  };
  const body = custom
    ? { ...common, custom: true, instrumental: false, lyric: song.lyrics, title: song.title ?? 'Untitled', style: song.style }
    : { ...common, custom: false, instrumental: song.instrumental, prompt: song.prompt };
  return { method: 'POST', path: '/suno/audios', body: parseOrThrow(audiosBody, dropUndefined(body), 'acedata song request') };
}

// ---- Transforms: the canonical request is checked first, so a refusal names our own field ----

/** The action each transform kind sends. */
export const TRANSFORM_ACTIONS = {
  extend: 'extend',
  concat: 'concat',
  cover: 'cover',
  'upload-cover': 'upload_cover',
  'upload-extend': 'upload_extend',
  vox: 'artist_consistency_vox',
  'replace-section': 'replace_section',
  'add-instrumental': 'underpainting',
  'add-vocals': 'overpainting',
  sample: 'samples',
  remaster: 'remaster',
  mashup: 'mashup',
  inspiration: 'inspo',
} as const satisfies Partial<Record<TransformKind, AudioAction>>;
export type AcedataTransform = keyof typeof TRANSFORM_ACTIONS;

function clipIdOf(kind: string, source: ClipRef | undefined, index = 0): string {
  if (!source?.clipId) throw new Error(`${kind}: sources[${index}].clipId: required`);
  return source.clipId;
}

function oneSource(kind: string, t: TransformRequest): ClipRef {
  const sources = t.sources ?? [];
  if (sources.length === 0) throw new Error(`${kind}: sources: one clip is required`);
  if (sources.length > 1) throw new Error(`${kind}: sources: takes one clip, got ${sources.length}`);
  clipIdOf(kind, sources[0]);
  return sources[0]!;
}

/** The clip a clip action works on: a generated one, or the user's audio made a clip by an upload step. */
function clipSource(kind: string, t: TransformRequest): { audio_id: string; duration?: number } {
  const source = oneSource(kind, t);
  return { audio_id: source.clipId, duration: source.durationSeconds };
}

function checkPrompt(kind: string, prompt: string | undefined): void {
  if (prompt !== undefined && prompt.length > PROMPT_MAX) throw new Error(`${kind}: prompt: acedata takes at most ${PROMPT_MAX} characters, got ${prompt.length}`);
}

function checkContinueAt(kind: string, continueAt: number | undefined, duration: number | undefined): number {
  const at = continueAt ?? duration;
  if (at === undefined) throw new Error(`${kind}: continueAt: required${duration === undefined ? ' (the source has no known duration)' : ''}`);
  if (!Number.isFinite(at) || at < 0) throw new Error(`${kind}: continueAt: must be 0 or more seconds, got ${at}`);
  if (duration !== undefined && at > duration) throw new Error(`${kind}: continueAt: ${at} s is past the end of the source (${duration} s)`);
  return at;
}

/** A span of the source: start before end, and (the seed) an end less than the source's duration. */
function checkSection(kind: string, section: Section | undefined, duration: number | undefined, required: boolean): Section | undefined {
  if (section === undefined) {
    if (required) throw new Error(`${kind}: section: required`);
    return undefined;
  }
  const { start, end } = section;
  if (!Number.isFinite(start) || start < 0) throw new Error(`${kind}: section.start: must be 0 or more seconds, got ${start}`);
  if (!Number.isFinite(end) || end <= start) throw new Error(`${kind}: section.end: must be after section.start (${start} s), got ${end}`);
  if (duration !== undefined && end >= duration) throw new Error(`${kind}: section.end: must be less than the source's duration (${duration} s), got ${end}`);
  return section;
}

/** The fields every clip-making action shares: our lyrics make it custom mode. */
function songish(kind: string, t: TransformRequest, model: string, audioWeight: boolean) {
  checkPrompt(kind, t.prompt);
  const custom = t.lyrics !== undefined;
  return {
    model,
    custom,
    lyric: t.lyrics,
    prompt: t.prompt,
    style: t.style,
    title: t.title,
    style_negative: t.negativeStyle,
    vocal_gender: t.vocalGender && GENDER[t.vocalGender],
    ...sliders(kind, t.weights, custom, audioWeight),
  };
}

function wireBody(kind: AcedataTransform, t: TransformRequest, model: string): Record<string, unknown> {
  switch (kind) {
    case 'extend': {
      const source = oneSource(kind, t);
      return { audio_id: source.clipId, continue_at: checkContinueAt(kind, t.continueAt, source.durationSeconds), instrumental: t.instrumental, ...songish(kind, t, model, false) };
    }
    case 'upload-extend': {
      const source = oneSource(kind, t);
      return { audio_id: source.clipId, continue_at: checkContinueAt(kind, t.continueAt, source.durationSeconds), instrumental: t.instrumental, ...songish(kind, t, model, false) };
    }
    case 'cover':
      return { audio_id: oneSource(kind, t).clipId, ...songish(kind, t, model, true) };
    case 'upload-cover':
      return { audio_id: oneSource(kind, t).clipId, ...songish(kind, t, model, true) };
    case 'concat': {
      // The provider follows the chain of extensions back from the last clip.
      const sources = t.sources ?? [];
      if (sources.length === 0) throw new Error(`${kind}: sources: at least one clip is required (the last extension)`);
      return { audio_id: clipIdOf(kind, sources[sources.length - 1], sources.length - 1) };
    }
    case 'vox': {
      const sources = t.sources ?? [];
      if (sources.length === 0 && !t.personaId) throw new Error(`${kind}: sources, personaId: a clip or a persona is required`);
      if (sources.length > 1) throw new Error(`${kind}: sources: takes one clip, got ${sources.length}`);
      if (t.lyrics === undefined && t.prompt === undefined) throw new Error(`${kind}: lyrics, prompt: one of them is required`);
      checkPrompt(kind, t.prompt);
      return {
        persona_id: t.personaId,
        audio_id: sources.length > 0 ? clipIdOf(kind, sources[0]) : undefined,
        custom: t.lyrics !== undefined,
        lyric: t.lyrics,
        prompt: t.prompt,
        style: t.style,
        title: t.title,
        model,
      };
    }
    case 'replace-section': {
      const source = oneSource(kind, t);
      const section = checkSection(kind, t.section, source.durationSeconds, true)!;
      if (!t.lyrics) throw new Error(`${kind}: lyrics: required (the section's new lyrics)`);
      checkPrompt(kind, t.prompt);
      return { audio_id: source.clipId, replace_section_start: section.start, replace_section_end: section.end, lyric: t.lyrics, prompt: t.prompt, style: t.style };
    }
    case 'add-instrumental':
    case 'add-vocals':
    case 'sample': {
      const { duration, ...audio } = clipSource(kind, t);
      const section = checkSection(kind, t.section, duration, false);
      const prefix = kind === 'add-instrumental' ? 'underpainting' : kind === 'add-vocals' ? 'overpainting' : 'samples';
      checkPrompt(kind, t.prompt);
      return {
        ...audio,
        [`${prefix}_start`]: section?.start,
        [`${prefix}_end`]: section?.end,
        lyric: kind === 'add-vocals' ? t.lyrics : undefined,
        prompt: t.prompt,
        style: t.style,
        title: t.title,
      };
    }
    case 'remaster':
      return { audio_id: oneSource(kind, t).clipId, model };
    case 'inspiration': {
      // The references go as URLs: earlier clips' audio, then the user's own.
      const urls = (t.sources ?? []).map((source, i) => {
        if (!source?.audioUrl) throw new Error(`${kind}: sources[${i}].audioUrl: required (acedata takes reference audio by URL)`);
        return source.audioUrl;
      });
      if (t.audioUrl) urls.push(t.audioUrl);
      if (urls.length === 0) throw new Error(`${kind}: sources, audioUrl: 1 to ${INSPO_REFERENCES_MAX} reference audios are required`);
      if (urls.length > INSPO_REFERENCES_MAX) throw new Error(`${kind}: sources, audioUrl: acedata takes at most ${INSPO_REFERENCES_MAX} reference audios, got ${urls.length}`);
      checkPrompt(kind, t.prompt);
      const custom = t.lyrics !== undefined;
      return { audio_urls: urls, model, custom, lyric: t.lyrics, prompt: t.prompt, style: t.style, title: t.title, instrumental: t.instrumental };
    }
    case 'mashup': {
      const sources = t.sources ?? [];
      if (sources.length !== 2) throw new Error(`${kind}: sources: takes two clips, got ${sources.length}`);
      checkPrompt(kind, t.prompt);
      return { mashup_audio_ids: sources.map((s, i) => clipIdOf(kind, s, i)), prompt: t.prompt, style: t.style, title: t.title, model };
    }
  }
}

/** A transform as one `/suno/audios` request; throws naming the field before any request is made. */
export function transformCall(kind: AcedataTransform, t: TransformRequest, model: string, callbackUrl: string | undefined): HttpCall {
  const action = TRANSFORM_ACTIONS[kind];
  const body = dropUndefined({ action, ...wireBody(kind, t, model), callback_url: callbackUrl, async: true as const });
  return { method: 'POST', path: '/suno/audios', body: parseOrThrow(audiosBody, body, `acedata ${action} request`) };
}

export function stemsCall(action: 'stems' | 'all_stems', source: ClipRef, callbackUrl: string | undefined): HttpCall {
  const body = dropUndefined({ action, audio_id: source.clipId, callback_url: callbackUrl, async: true as const });
  return { method: 'POST', path: '/suno/audios', body: parseOrThrow(audiosBody, body, `acedata ${action} request`) };
}

export function uploadCall(audioUrl: string | undefined): HttpCall {
  if (!audioUrl) throw new Error('upload: audioUrl: required');
  return { method: 'POST', path: '/suno/upload', body: parseOrThrow(uploadBody, { audio_url: audioUrl }, 'acedata upload request') };
}

export function lyricsCall(prompt: string): HttpCall {
  return { method: 'POST', path: '/suno/lyrics', body: parseOrThrow(lyricsBody, { prompt }, 'acedata lyrics request') };
}

export function personaCall(source: ClipRef, name: string, description: string): HttpCall {
  const body = dropUndefined({ audio_id: source.clipId, name, description: description || undefined });
  return { method: 'POST', path: '/suno/persona', body: parseOrThrow(personaBody, body, 'acedata persona request') };
}

export function wavCall(source: ClipRef, callbackUrl: string | undefined): HttpCall {
  const body = dropUndefined({ audio_id: source.clipId, callback_url: callbackUrl, async: true as const });
  return { method: 'POST', path: '/suno/wav', body: parseOrThrow(wavBody, body, 'acedata wav request') };
}

export function clipOnlyCall(route: '/suno/mp4' | '/suno/timing', source: ClipRef): HttpCall {
  return { method: 'POST', path: route, body: parseOrThrow(clipOnlyBody, { audio_id: source.clipId }, `acedata ${route} request`) };
}

export function retrieveCall(taskId: string): HttpCall {
  return { method: 'POST', path: '/suno/tasks', body: parseOrThrow(retrieveBody, { id: taskId, action: 'retrieve' }, 'acedata task query') };
}

export function retrieveBatchCall(taskIds: string[]): HttpCall {
  return { method: 'POST', path: '/suno/tasks', body: parseOrThrow(retrieveBatchBody, { ids: taskIds, action: 'retrieve_batch' }, 'acedata batch task query') };
}
