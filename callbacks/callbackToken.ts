// Signed, expiring tokens carried in callback URLs. A token names the workflow and the step it may
// wake; the endpoint checks the HMAC in constant time before anything reaches Temporal, so a forged
// or replayed-elsewhere callback cannot even become a hint.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const claimsSchema = z.object({
  /** Workflow id the callback may signal. */
  w: z.string().min(1),
  /** Step id inside that workflow. */
  s: z.string().min(1),
  /** Provider name, so the endpoint knows which dialect the body speaks. */
  p: z.string().min(1),
  /** Expiry, seconds since the epoch. */
  e: z.number().int(),
});

export interface CallbackClaims {
  workflowId: string;
  stepId: string;
  provider: string;
  expiresAt: Date;
}

export type TokenCheck = { ok: true; claims: CallbackClaims } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

export function signCallbackToken(secret: string, claims: CallbackClaims): string {
  const payload = Buffer.from(
    JSON.stringify({ w: claims.workflowId, s: claims.stepId, p: claims.provider, e: Math.floor(claims.expiresAt.getTime() / 1000) }),
  ).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export function verifyCallbackToken(secret: string, token: string, now: Date = new Date()): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: 'malformed' };
  const [payload, signature] = parts as [string, string];
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  let claims: z.infer<typeof claimsSchema>;
  try {
    claims = claimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (claims.e * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { workflowId: claims.w, stepId: claims.s, provider: claims.p, expiresAt: new Date(claims.e * 1000) } };
}
