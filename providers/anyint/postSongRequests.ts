// What we send to AnyInt for work on a finished song. Strict: an unknown or missing field is our
// bug, caught before the wire. The family names the source clip by its song task and its audio id
// (our ClipRef's taskId and clipId); cover art names only the song task.
import { z } from 'zod';
import type { HttpCall } from '../adapter';
import type { ClipRef, PersonaRequest } from '../model';
import { parseOrThrow } from '../wire';

const sourceFields = { taskId: z.string().min(1), audioId: z.string().min(1) };

/** One route for both separations: `type` picks voice/accompaniment or one track per instrument. */
export const vocalRemovalBody = z.strictObject({
  ...sourceFields,
  callBackUrl: z.url(),
  type: z.enum(['separate_vocal', 'split_stem']),
});

export const wavBody = z.strictObject({ ...sourceFields, callBackUrl: z.url() });

export const mp4Body = z.strictObject({ ...sourceFields, callBackUrl: z.url() });

export const coverBody = z.strictObject({ taskId: z.string().min(1), callBackUrl: z.url() });

/** Persona answers at once; the family takes no callback for it. */
export const personaBody = z.strictObject({
  ...sourceFields,
  name: z.string().min(1).max(100),
  description: z.string().min(1).max(1000),
});

/** Timestamped lyrics answer at once too. */
export const timestampedLyricsBody = z.strictObject(sourceFields);

function source(clip: ClipRef) {
  return { taskId: clip.taskId, audioId: clip.clipId };
}

export function stemsCall(clip: ClipRef, multitrack: boolean, callBackUrl: string): HttpCall {
  const body = { ...source(clip), callBackUrl, type: multitrack ? 'split_stem' : 'separate_vocal' };
  return { method: 'POST', path: '/suno/vocal-removal', body: parseOrThrow(vocalRemovalBody, body, 'anyint stems request') };
}

export function wavCall(clip: ClipRef, callBackUrl: string): HttpCall {
  return { method: 'POST', path: '/suno/wav-generate', body: parseOrThrow(wavBody, { ...source(clip), callBackUrl }, 'anyint wav request') };
}

export function mp4Call(clip: ClipRef, callBackUrl: string): HttpCall {
  return { method: 'POST', path: '/suno/mp4-generate', body: parseOrThrow(mp4Body, { ...source(clip), callBackUrl }, 'anyint mp4 request') };
}

export function coverCall(clip: ClipRef, callBackUrl: string): HttpCall {
  return { method: 'POST', path: '/suno/generate-cover', body: parseOrThrow(coverBody, { taskId: clip.taskId, callBackUrl }, 'anyint cover-art request') };
}

export function personaCall(persona: PersonaRequest): HttpCall {
  // Titles and styles can be longer than the family accepts for a persona; a shorter name is
  // better than a refused step.
  const body = { ...source(persona.source), name: persona.name.slice(0, 100), description: persona.description.slice(0, 1000) };
  return { method: 'POST', path: '/suno/generate-persona', body: parseOrThrow(personaBody, body, 'anyint persona request') };
}

export function timestampedLyricsCall(clip: ClipRef): HttpCall {
  return { method: 'POST', path: '/suno/timestamped-lyrics', body: parseOrThrow(timestampedLyricsBody, source(clip), 'anyint timestamped-lyrics request') };
}
