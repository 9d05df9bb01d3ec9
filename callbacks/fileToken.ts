// Signed, expiring tokens for the user's own audio, served by the callback endpoint to a provider that
// must fetch it. Like callback tokens, they are HMACs checked in constant time; they are signed in a
// separate domain ("file:"), so a callback token can never be replayed as a file token or back.
import { z } from 'zod';
import { expirySeconds, signToken, verifyToken, type TokenFailure } from './signedToken';

const claimsSchema = z.object({
  /** The file's name in the uploads folder: its sha256 and extension, nothing else. */
  f: z.string().regex(/^[0-9a-f]{64}\.[a-z0-9]{2,4}$/),
  /** Expiry, seconds since the epoch. */
  e: z.number().int(),
});

export interface FileClaims {
  file: string;
  expiresAt: Date;
}

export type FileTokenCheck = { ok: true; claims: FileClaims } | { ok: false; reason: TokenFailure };

const DOMAIN = 'file:';

export function signFileToken(secret: string, claims: FileClaims): string {
  return signToken(secret, DOMAIN, { f: claims.file, e: expirySeconds(claims.expiresAt) });
}

export function verifyFileToken(secret: string, token: string, now: Date = new Date()): FileTokenCheck {
  const checked = verifyToken(secret, DOMAIN, token, claimsSchema, now);
  if (!checked.ok) return checked;
  return { ok: true, claims: { file: checked.claims.f, expiresAt: new Date(checked.claims.e * 1000) } };
}
