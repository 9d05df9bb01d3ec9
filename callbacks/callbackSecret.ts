// The secret that signs callback tokens. A configured CALLBACK_SECRET wins; on a loopback-only setup
// we generate one and keep it under .data/ so tokens stay valid across restarts of the endpoint.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dataDir } from '../runtime/projectPaths';

export function resolveCallbackSecret(configured: string | undefined, directory: string = dataDir()): string {
  if (configured) return configured;
  const file = path.join(directory, 'callback-secret');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch {
    // Not there yet: create it below.
  }
  mkdirSync(directory, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // 'wx' so two processes starting at once cannot overwrite each other's secret.
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    return readFileSync(file, 'utf8').trim();
  }
}
