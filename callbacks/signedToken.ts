// Signed, expiring tokens carried in URLs: a base64url JSON payload and its HMAC-SHA256, checked in
// constant time before the payload is read. Each use signs in its own domain, so a token made for
// one purpose (a callback) can never be accepted for another (a file).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';

export type TokenFailure = 'malformed' | 'bad-signature' | 'expired';

/** Every token payload carries its expiry (`e`, seconds since the epoch). */
type Expiring = { e: number };

function mac(secret: string, domain: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${domain}${payload}`).digest();
}

export function signToken(secret: string, domain: string, claims: Expiring & Record<string, unknown>): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(secret, domain, payload).toString('base64url')}`;
}

export function verifyToken<S extends z.ZodType<Expiring>>(
  secret: string,
  domain: string,
  token: string,
  schema: S,
  now: Date,
): { ok: true; claims: z.output<S> } | { ok: false; reason: TokenFailure } {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: 'malformed' };
  const [payload, signature] = parts as [string, string];
  // Compared as text, not as decoded bytes: the last of 43 base64url characters carries two unused
  // bits, so decoding maps four spellings to one MAC, and a token with its last character changed
  // could pass (the callback fuzz test found one). Only the spelling we issue is accepted.
  const expected = Buffer.from(mac(secret, domain, payload).toString('base64url'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  let claims: z.output<S>;
  try {
    claims = schema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (claims.e * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

export function expirySeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}
