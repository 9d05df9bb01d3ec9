// What each transform makes from its sources, independent of any dialect: the song content of the
// task, whose clips carry the recipe of their sound (see clipAudio.ts). Dialects check their
// requests, find the sources, and call these; the media library renders the recipes on demand.
//
// New material is always a fresh tune seeded by the new clip's id, so the same request (same task
// id) always makes the same bytes.

import { soundOf, type AudioSpec, type ClipSound, type Length } from './clipAudio';
import type { PartName } from './melody';
import { songContent, type SongClip, type SongContent, type SongInput } from './taskContent';

/** The accompaniment's parts (everything but the lead line, which is the voice). */
export const ACCOMPANIMENT: PartName[] = ['keys', 'bass', 'drums'];
/** A sound effect is percussive: the drums of a fresh tune. */
const EFFECT_PARTS: PartName[] = ['drums'];
/** Overlays keep both layers below full scale. */
const LAYER_GAIN = 0.8;
/** A remaster is the same audio, a little quieter: same length, different bytes. */
const REMASTER_GAIN = 0.9;
/** Each mashup clip leans towards one of its two sources. */
const MASHUP_GAINS: [number, number][] = [
  [0.55, 0.45],
  [0.45, 0.55],
];

/** The sound of a clip some task made: its recipe, or the fresh tune its id seeds. */
export function sourceSound(clip: ClipSound, clipSeconds: number): AudioSpec {
  return soundOf(clip, clipSeconds);
}

export function uploadSound(url: string, part?: PartName): AudioSpec {
  return part ? { op: 'upload', url, part } : { op: 'upload', url };
}

function withSound(content: SongContent, sound: (clip: SongClip, index: number) => AudioSpec, clipCount?: number): SongContent {
  const clips = content.clips.slice(0, clipCount ?? content.clips.length);
  return { ...content, clips: clips.map((clip, index) => ({ ...clip, audio: sound(clip, index) })) };
}

function tune(seed: string, seconds: Length, parts?: PartName[]): AudioSpec {
  return parts ? { op: 'tune', seed, seconds, parts } : { op: 'tune', seed, seconds };
}

/**
 * An extension: new material (`clipSeconds` of it) from `continueAt` of the source. 'whole': the
 * clip plays the source up to continueAt, then the new material; 'part': only the new material.
 */
export function extensionContent(
  taskId: string,
  input: SongInput,
  source: AudioSpec,
  continueAt: number,
  keep: 'part' | 'whole',
  clipSeconds: number,
): SongContent {
  return withSound(songContent(taskId, input), (clip) => ({
    op: 'continue',
    source,
    continueAt,
    added: tune(clip.id, clipSeconds),
    keep,
  }));
}

/** A cover (of a clip or an upload): a new performance as long as the source. */
export function coverContent(taskId: string, input: SongInput, source: AudioSpec): SongContent {
  return withSound(songContent(taskId, input), (clip) => tune(clip.id, { of: source }));
}

/**
 * New layers over the source (vocals over an instrumental, accompaniment under a vocal), between
 * `from` and `to` (default: the whole source). The result is exactly as long as the source.
 */
export function overlayContent(
  taskId: string,
  input: SongInput,
  source: AudioSpec,
  parts: PartName[],
  section: { from?: number; to?: number } = {},
): SongContent {
  const from = section.from ?? 0;
  return withSound(songContent(taskId, input), (clip) => ({
    op: 'mix',
    inputs: [
      { source, gain: LAYER_GAIN },
      { source: tune(clip.id, section.to === undefined ? { of: source, from } : section.to - from, parts), gain: LAYER_GAIN, at: from },
    ],
    length: 'first',
  }));
}

/** One clip, the source's length: [from, to) is new material, the rest is the source untouched. */
export function replaceSectionContent(taskId: string, input: SongInput, source: AudioSpec, from: number, to: number): SongContent {
  return withSound(
    songContent(taskId, input),
    (clip) => ({ op: 'replace', source, from, to, insert: tune(clip.id, to - from) }),
    1,
  );
}

/** One clip: the source, remastered (same length). */
export function remasterContent(taskId: string, input: SongInput, source: AudioSpec): SongContent {
  return withSound(songContent(taskId, input), () => ({ op: 'gain', source, gain: REMASTER_GAIN }), 1);
}

/** Two clips, each a mix of both sources, as long as the longer one. */
export function mashupContent(taskId: string, input: SongInput, first: AudioSpec, second: AudioSpec): SongContent {
  return withSound(songContent(taskId, input), (_clip, index) => {
    const [a, b] = MASHUP_GAINS[index % MASHUP_GAINS.length] ?? [0.5, 0.5];
    return { op: 'mix', inputs: [{ source: first, gain: a }, { source: second, gain: b }], length: 'longest' };
  });
}

/** One clip: the clips' audio one after the other (merge: exactly the sum of their lengths). */
export function joinContent(taskId: string, input: SongInput, sources: AudioSpec[]): SongContent {
  return withSound(songContent(taskId, input), () => ({ op: 'join', parts: sources }), 1);
}

/** One clip: the user's audio itself. */
export function uploadContent(taskId: string, input: SongInput, url: string): SongContent {
  return withSound(songContent(taskId, input), () => uploadSound(url), 1);
}

/** One clip of exactly `seconds`: a percussive sound, not a song. */
export function soundEffectContent(taskId: string, input: SongInput, seconds: number): SongContent {
  return withSound(songContent(taskId, { ...input, instrumental: true }), (clip) => tune(clip.id, seconds, EFFECT_PARTS), 1);
}

/** One clip: the section [from, to) of the source alone (an audio edit), exactly to - from long. */
export function cropContent(taskId: string, input: SongInput, source: AudioSpec, from: number, to: number): SongContent {
  return withSound(songContent(taskId, input), () => ({ op: 'slice', source, from, to }), 1);
}

/**
 * New songs in the manner of reference songs: fresh tunes, a song's usual length, that copy none of
 * the references (the references only steer the style, which the simulator does not model).
 */
export function inspirationContent(taskId: string, input: SongInput): SongContent {
  return songContent(taskId, input);
}
