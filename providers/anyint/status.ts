// The AnyInt family's task states. Song and lyrics records say `status` (a word); the records of
// work on a finished song say `successFlag`, a word for stems, WAV and video but a number for cover
// art (0 pending, 1 success, 2 generating, 3 failed). Both normalize here, once.
import type { TaskState } from '../model';

const STATUS_STATES: Record<string, TaskState> = {
  PENDING: 'queued',
  TEXT_SUCCESS: 'partial',
  FIRST_SUCCESS: 'partial',
  SUCCESS: 'succeeded',
  CREATE_TASK_FAILED: 'failed',
  GENERATE_AUDIO_FAILED: 'failed',
  GENERATE_LYRICS_FAILED: 'failed',
  GENERATE_WAV_FAILED: 'failed',
  GENERATE_MP4_FAILED: 'failed',
  GENERATE_COVER_FAILED: 'failed',
  CALLBACK_EXCEPTION: 'failed',
  SENSITIVE_WORD_ERROR: 'failed',
};

/** Failures the provider refunds and a new submit may fix; moderation failures will fail again. */
const RETRYABLE_FAILURES = new Set([
  'CREATE_TASK_FAILED',
  'GENERATE_AUDIO_FAILED',
  'GENERATE_LYRICS_FAILED',
  'GENERATE_WAV_FAILED',
  'GENERATE_MP4_FAILED',
  'GENERATE_COVER_FAILED',
  'FAILED',
]);

/** The documented numeric flags, under the words the documentation gives them. */
const NUMERIC_FLAGS: Record<number, string> = { 0: 'PENDING', 1: 'SUCCESS', 2: 'GENERATING', 3: 'FAILED' };
const NUMERIC_STATES: Record<string, TaskState> = { GENERATING: 'running', FAILED: 'failed' };

/**
 * The status word of a record: numeric flags (also sent as digit strings) become their documented
 * words; other words are upper-cased, since casing drifts between gateways of the family.
 */
export function statusWord(flag: string | number): string {
  const text = String(flag).trim();
  if (/^\d+$/.test(text)) return NUMERIC_FLAGS[Number(text)] ?? `FLAG_${text}`;
  return text.toUpperCase();
}

/** Unknown words (new intermediate states the family may add) read as still running. */
export function stateOfStatus(word: string): TaskState {
  return STATUS_STATES[word] ?? NUMERIC_STATES[word] ?? 'running';
}

export function isRetryableFailure(word: string): boolean {
  return RETRYABLE_FAILURES.has(word);
}
