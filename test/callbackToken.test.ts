import { describe, expect, it } from 'vitest';
import { signCallbackToken, verifyCallbackToken } from '../callbacks/callbackToken';

const secret = 'a-secret-of-enough-length';
const claims = { workflowId: 'song-1', stepId: 'song', provider: 'anyint', expiresAt: new Date(Date.now() + 60_000) };

describe('callback tokens', () => {
  it('verify with the secret that signed them and carry the claims', () => {
    const check = verifyCallbackToken(secret, signCallbackToken(secret, claims));
    expect(check.ok && check.claims.workflowId).toBe('song-1');
    expect(check.ok && check.claims.stepId).toBe('song');
  });

  it('are refused under another secret, when tampered with, or after expiry', () => {
    const token = signCallbackToken(secret, claims);
    expect(verifyCallbackToken('another-secret-entirely', token)).toEqual({ ok: false, reason: 'bad-signature' });
    const [payload, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ w: 'other-run', s: 'song', p: 'anyint', e: 9999999999 })).toString('base64url');
    expect(verifyCallbackToken(secret, `${forged}.${sig}`)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyCallbackToken(secret, `${payload}`)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyCallbackToken(secret, token, new Date(Date.now() + 120_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('are refused when the signature is spelled otherwise, even where it decodes to the same bytes', () => {
    // The last of the 43 characters carries two bits the MAC does not use: each of its four
    // spellings decodes alike (the fuzz test's one-character change hit one and was signalled).
    const token = signCallbackToken(secret, claims);
    const [payload, sig] = token.split('.') as [string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.at(-1)!);
    const sameBytes = [0, 1, 2, 3].map((low) => alphabet[(last & ~3) | low]!).filter((c) => c !== sig.at(-1));
    expect(sameBytes).toHaveLength(3);
    for (const c of sameBytes) {
      const respelled = `${sig.slice(0, -1)}${c}`;
      expect(Buffer.from(respelled, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
      expect(verifyCallbackToken(secret, `${payload}.${respelled}`)).toEqual({ ok: false, reason: 'bad-signature' });
    }
  });
});
