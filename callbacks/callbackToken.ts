// Signed, expiring tokens carried in callback URLs. A token names the workflow and the step it may
// wake; the endpoint checks the HMAC in constant time before anything reaches Temporal, so a forged
// or replayed-elsewhere callback cannot even become a hint.
import { z } from 'zod';
import { expirySeconds, signToken, verifyToken, type TokenFailure } from './signedToken';

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

export type TokenCheck = { ok: true; claims: CallbackClaims } | { ok: false; reason: TokenFailure };

/** Callback tokens sign in the empty domain (tokens minted before domains existed stay valid). */
const DOMAIN = '';

export function signCallbackToken(secret: string, claims: CallbackClaims): string {
  return signToken(secret, DOMAIN, { w: claims.workflowId, s: claims.stepId, p: claims.provider, e: expirySeconds(claims.expiresAt) });
}

export function verifyCallbackToken(secret: string, token: string, now: Date = new Date()): TokenCheck {
  const checked = verifyToken(secret, DOMAIN, token, claimsSchema, now);
  if (!checked.ok) return checked;
  const { w, s: stepId, p, e } = checked.claims;
  return { ok: true, claims: { workflowId: w, stepId, provider: p, expiresAt: new Date(e * 1000) } };
}
