// Bearer-token checking shared by the dialects that use `Authorization: Bearer <key>`.

import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time check of an Authorization header against the expected key. */
export function hasBearerToken(authorization: string | undefined, apiKey: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '');
  if (!match) return false;
  // Hashing first gives equal-length inputs, which timingSafeEqual requires.
  const presented = createHash('sha256').update(match[1] ?? '').digest();
  const expected = createHash('sha256').update(apiKey).digest();
  return timingSafeEqual(presented, expected);
}
