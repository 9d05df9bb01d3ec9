// The AnyInt family's envelope `{code, msg, data}` and the meaning of its codes, shared by every
// AnyInt answer parser (songs and lyrics, post-song records, synchronous answers).
import { z } from 'zod';
import { classifyStatus, ProviderError, type ErrorClass } from '../errors';
import { envelopeCode, looseString, parseOrThrow } from '../wire';

export const PROVIDER = 'anyint';

const envelope = z.object({
  code: envelopeCode,
  msg: looseString,
  message: looseString,
  data: z.unknown().optional(),
});

/** 200, "200", the word "success" or no code at all mean success; anything else is an error code. */
export function isSuccessCode(code: number | string | undefined): boolean {
  if (code === undefined) return true;
  if (typeof code === 'string' && code.trim().toLowerCase() === 'success') return true;
  return Number(code) === 200;
}

export function anyintClassify(code: number): ErrorClass {
  // In this family 429 means the account's credits or quota are exhausted, not a rate limit.
  if (code === 429) return 'billing';
  return classifyStatus(code);
}

/** The envelope's `data`; throws a classified ProviderError for an error envelope. */
export function unwrapEnvelope(body: unknown, what: string): unknown {
  const env = parseOrThrow(envelope, body, what);
  if (!isSuccessCode(env.code)) {
    const code = Number(env.code);
    const numeric = Number.isFinite(code) ? code : 400;
    throw new ProviderError(PROVIDER, anyintClassify(numeric), String(env.code), env.msg ?? env.message ?? 'no message');
  }
  return env.data;
}
