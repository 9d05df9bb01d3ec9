// AnyInt answers that carry the result in the submit itself: persona, timestamped lyrics and the
// expanded style (style-generate). They
// become a finished TaskSnapshot at once (SubmitOutcome.completed), so nobody polls for them.
import { z } from 'zod';
import type { SubmitOutcome } from '../adapter';
import { PROVIDER } from './envelope';
import { ProviderError } from '../errors';
import type { AlignedWord, TaskSnapshot } from '../model';
import { idString, looseNumber, looseString, parseOrThrow, WireFormatError } from '../wire';

const personaData = z.object({
  personaId: idString.optional(),
  persona_id: idString.optional(),
  name: looseString,
  description: looseString,
});

const alignedWord = z.object({
  word: looseString,
  success: z.unknown().optional(),
  startS: looseNumber,
  start_s: looseNumber,
  endS: looseNumber,
  end_s: looseNumber,
});

const timestampedData = z.object({
  // An instrumental has nothing to align: the list is empty or null.
  alignedWords: z.array(z.unknown()).nullish(),
  aligned_words: z.array(z.unknown()).nullish(),
  // Some relays echo the source; the family's own answer does not.
  taskId: idString.optional(),
  audioId: idString.optional(),
});

const styleData = z.object({
  taskId: idString.optional(),
  task_id: idString.optional(),
  result: looseString,
  errorMessage: looseString,
  error_message: looseString,
});

function finished(taskId: string, outputs: TaskSnapshot['outputs']): TaskSnapshot {
  return { taskId, state: 'succeeded', providerStatus: 'SUCCESS', clips: [], lyrics: [], outputs };
}

/** The persona's id is also the step's task id: the family makes no task for it. */
export function parsePersonaAnswer(data: unknown): SubmitOutcome {
  const persona = parseOrThrow(personaData, data ?? {}, 'anyint persona answer data');
  const personaId = persona.personaId ?? persona.persona_id;
  // The submit was accepted (and paid), but without an id the persona cannot be used or found.
  if (!personaId) throw new ProviderError(PROVIDER, 'ambiguous', 'no-persona-id', 'persona answered success without a personaId');
  return { taskId: personaId, completed: finished(personaId, { personaId }) };
}

function toAlignedWord(raw: unknown): AlignedWord | undefined {
  const parsed = alignedWord.safeParse(raw);
  if (!parsed.success || parsed.data.word === undefined) return undefined;
  const startSeconds = parsed.data.startS ?? parsed.data.start_s;
  const endSeconds = parsed.data.endS ?? parsed.data.end_s;
  // A word the aligner could not place has no usable time; the rest of the song still does.
  if (startSeconds === undefined || endSeconds === undefined || endSeconds < startSeconds) return undefined;
  return { word: parsed.data.word, startSeconds, endSeconds };
}

/**
 * The answer names no task, and parseSubmit is not given the request, so the id is built from
 * the source when a relay echoes it and is a fixed label otherwise. Nothing queries it.
 */
export function parseTimestampedLyricsAnswer(data: unknown): SubmitOutcome {
  const answer = parseOrThrow(timestampedData, data ?? {}, 'anyint timestamped-lyrics answer data');
  if (answer.alignedWords === undefined && answer.aligned_words === undefined) {
    throw new WireFormatError('anyint timestamped-lyrics answer data', 'alignedWords: required');
  }
  const words = (answer.alignedWords ?? answer.aligned_words ?? []).map(toAlignedWord).filter((w): w is AlignedWord => w !== undefined);
  const taskId = answer.taskId && answer.audioId ? `${answer.taskId}:${answer.audioId}:timestamped-lyrics` : 'timestamped-lyrics';
  return { taskId, completed: finished(taskId, { alignedWords: words }) };
}

/**
 * style-generate: `data: {taskId, result}` with the expanded style text in `result` (the family also
 * sends param, credits, successFlag and times, which we do not need).
 */
export function parseStyleAnswer(data: unknown): SubmitOutcome {
  const answer = parseOrThrow(styleData, data ?? {}, 'anyint style answer data');
  const style = answer.result?.trim();
  if (!style) {
    const reason = answer.errorMessage ?? answer.error_message;
    throw new WireFormatError('anyint style answer data', `result: required${reason ? ` (the provider says: ${reason})` : ''}`);
  }
  const taskId = answer.taskId ?? answer.task_id ?? 'style-generate';
  return { taskId, completed: finished(taskId, { style }) };
}
