// What we send to the CQTAI gateway, validated strictly: every step is `POST /api/cqt/generator/suno`
// with a `task` field and camelCase parameters.
import { z } from 'zod';
import type { HttpCall } from '../adapter';
import type { ClipRef, SongRequest, VocalGender, Weights } from '../model';
import { parseOrThrow, dropUndefined } from '../wire';

export const GENERATOR_PATH = '/api/cqt/generator/suno';

/** Inspiration-mode descriptions are limited to 400 characters; titles to 80. */
const DESCRIPTION_MAX = 400;
const TITLE_MAX = 80;

export const createBody = z
  .strictObject({
    task: z.literal('create'),
    model: z.string().min(1),
    customMode: z.boolean(),
    makeInstrumental: z.boolean(),
    prompt: z.string().min(1).max(5000).optional(),
    tags: z.string().min(1).max(1000).optional(),
    title: z.string().min(1).max(TITLE_MAX).optional(),
    personaId: z.string().min(1).optional(),
    negativeTags: z.string().min(1).max(1000).optional(),
    vocalGender: z.enum(['m', 'f']).optional(),
    styleWeight: z.number().min(0).max(1).optional(),
    weirdnessConstraint: z.number().min(0).max(1).optional(),
    audioWeight: z.number().min(0).max(1).optional(),
  })
  .refine((b) => b.customMode || (b.prompt !== undefined && b.prompt.length <= DESCRIPTION_MAX && b.tags === undefined && b.title === undefined), {
    message: `inspiration mode sends a prompt of at most ${DESCRIPTION_MAX} characters and no tags or title`,
    path: ['prompt'],
  })
  .refine((b) => !b.customMode || (b.tags !== undefined && b.title !== undefined && (b.makeInstrumental || b.prompt !== undefined)), {
    message: 'custom mode needs tags and title, and lyrics (prompt) unless instrumental',
    path: ['tags'],
  });

export const lyricsBody = z.strictObject({ task: z.literal('lyrics'), prompt: z.string().min(1) });

/** Tasks that take one finished clip and nothing else. */
export const CLIP_TASKS = ['gen_stem_two', 'gen_stem_all', 'mp4', 'wav', 'timeline', 'cover_image', 'downbeats'] as const;
export type ClipTask = (typeof CLIP_TASKS)[number];

export const clipTaskBody = z.strictObject({ task: z.enum(CLIP_TASKS), clipId: z.string().min(1) });

export const personaBody = z.strictObject({
  task: z.literal('persona'),
  taskId: z.string().min(1),
  clipId: z.string().min(1),
  name: z.string().min(1),
  description: z.string().min(1),
});

const GENDER: Record<VocalGender, 'm' | 'f'> = { male: 'm', female: 'f' };

/** The optional song fields of create and the clip-making transforms: negative style, vocal gender, the three weights. */
export function songOptionWire(o: { negativeStyle?: string; vocalGender?: VocalGender; weights?: Weights }) {
  return {
    negativeTags: o.negativeStyle,
    vocalGender: o.vocalGender === undefined ? undefined : GENDER[o.vocalGender],
    styleWeight: o.weights?.style,
    weirdnessConstraint: o.weights?.weirdness,
    audioWeight: o.weights?.audio,
  };
}

/**
 * Custom mode for our lyrics, and for an instrumental with a style or title (the gateway documents
 * instrumental custom mode as tags + title); inspiration mode with the description otherwise.
 */
export function createCall(song: SongRequest, model: string): HttpCall {
  const common = { task: 'create' as const, model, makeInstrumental: song.instrumental, personaId: song.personaId, ...songOptionWire(song) };
  const custom = (song.lyrics && !song.instrumental) || (song.instrumental && (song.style || song.title));
  const body = custom
    ? {
        ...common,
        customMode: true,
        prompt: song.instrumental ? undefined : song.lyrics,
        tags: song.style ?? song.prompt,
        title: song.title ?? 'Untitled',
      }
    : { ...common, customMode: false, prompt: song.prompt };
  return { method: 'POST', path: GENERATOR_PATH, body: parseOrThrow(createBody, dropUndefined(body), 'cqt create request') };
}

export function lyricsCall(prompt: string): HttpCall {
  return { method: 'POST', path: GENERATOR_PATH, body: parseOrThrow(lyricsBody, { task: 'lyrics', prompt }, 'cqt lyrics request') };
}

export function clipTaskCall(task: ClipTask, source: ClipRef): HttpCall {
  return { method: 'POST', path: GENERATOR_PATH, body: parseOrThrow(clipTaskBody, { task, clipId: source.clipId }, `cqt ${task} request`) };
}

export function personaCall(source: ClipRef, name: string, description: string): HttpCall {
  // The gateway wants a description; a persona named after the song describes itself.
  const body = { task: 'persona' as const, taskId: source.taskId, clipId: source.clipId, name, description: description || name };
  return { method: 'POST', path: GENERATOR_PATH, body: parseOrThrow(personaBody, body, 'cqt persona request') };
}

/** The seed's minimum number of songs a custom model is trained on (the Suno family's). */
export const CUSTOM_MODEL_MIN_CLIPS = 6;

/** Custom Model: train a style model on clips; the result names the model (`chirp-custom:<uuid>`). */
export const customModelBody = z.strictObject({
  task: z.literal('custom_model'),
  clipIds: z.array(z.string().min(1)).min(CUSTOM_MODEL_MIN_CLIPS),
  name: z.string().min(1).max(TITLE_MAX),
});

export function customModelCall(sources: ClipRef[], name: string): HttpCall {
  sources.forEach((s, i) => {
    if (!s?.clipId) throw new Error(`custom-model: sources.${i}.clipId: required`);
  });
  if (sources.length < CUSTOM_MODEL_MIN_CLIPS) throw new Error(`custom-model: sources: cqt trains a model on at least ${CUSTOM_MODEL_MIN_CLIPS} clips, got ${sources.length}`);
  const body = { task: 'custom_model' as const, clipIds: sources.map((s) => s.clipId), name };
  return { method: 'POST', path: GENERATOR_PATH, body: parseOrThrow(customModelBody, body, 'cqt custom_model request') };
}

export function infoPath(taskId: string): string {
  return `/api/cqt/info/suno?id=${encodeURIComponent(taskId)}`;
}
