// The user's audio as the callback endpoint serves it to a provider: only with a signed token that
// has not expired, only the one file the token names, and never with a callback token.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCallbackEndpoint, type CallbackEndpoint } from '../callbacks/callbackEndpoint';
import { signCallbackToken } from '../callbacks/callbackToken';
import { signFileToken } from '../callbacks/fileToken';

const SECRET = 'file-route-test-secret';
const NAME = `${'a'.repeat(64)}.mp3`;
const OTHER = `${'b'.repeat(64)}.mp3`;
const CONTENT = Buffer.from('ID3 pretend audio bytes');

let endpoint: CallbackEndpoint;
let uploads: string;
const logLines: string[] = [];

beforeAll(async () => {
  uploads = await mkdtemp(path.join(tmpdir(), 'uploads-'));
  await writeFile(path.join(uploads, NAME), CONTENT);
  await writeFile(path.join(uploads, OTHER), 'another file');
  // The file route never reaches Temporal: a client that is never called is enough.
  const unused = {} as Parameters<typeof startCallbackEndpoint>[0]['client'];
  endpoint = await startCallbackEndpoint({ client: unused, secret: SECRET, port: 0, uploadsDir: uploads, log: (line) => logLines.push(line) });
});

afterAll(async () => {
  await endpoint?.close();
  await rm(uploads, { recursive: true, force: true });
});

const inAnHour = () => new Date(Date.now() + 3_600_000);

describe('GET /files/<token>/<name>', () => {
  it('serves the file a valid token names, with its type and length', async () => {
    const token = signFileToken(SECRET, { file: NAME, expiresAt: inAnHour() });
    const response = await fetch(`${endpoint.url}/files/${token}/${NAME}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(CONTENT);
  });

  it('refuses another name than the token signs, an expired token, another secret and a callback token', async () => {
    const valid = signFileToken(SECRET, { file: NAME, expiresAt: inAnHour() });
    const expired = signFileToken(SECRET, { file: NAME, expiresAt: new Date(Date.now() - 1000) });
    const forged = signFileToken('another-secret', { file: NAME, expiresAt: inAnHour() });
    const callback = signCallbackToken(SECRET, { workflowId: 'w', stepId: 's', provider: 'anyint', expiresAt: inAnHour() });
    for (const [token, name] of [
      [valid, OTHER],
      [expired, NAME],
      [forged, NAME],
      [callback, NAME],
      ['not-a-token', NAME],
    ] as const) {
      const response = await fetch(`${endpoint.url}/files/${token}/${name}`);
      expect(response.status, `${token.slice(0, 20)}… for ${name.slice(0, 8)}`).toBe(401);
    }
    // The log says why, never the token.
    expect(logLines.join('\n')).not.toContain(valid);
  });

  it('answers 404 for a signed name that is not (or no longer) in the uploads folder', async () => {
    const missing = `${'c'.repeat(64)}.wav`;
    const token = signFileToken(SECRET, { file: missing, expiresAt: inAnHour() });
    expect((await fetch(`${endpoint.url}/files/${token}/${missing}`)).status).toBe(404);
  });

  it('cannot be signed for a path outside the uploads folder', () => {
    expect(() => signFileToken(SECRET, { file: '../../etc/passwd', expiresAt: inAnHour() })).not.toThrow();
    // Signing is not checking: the endpoint refuses such a name, because the claims must be a content name.
    const token = signFileToken(SECRET, { file: '../../etc/passwd', expiresAt: inAnHour() });
    return fetch(`${endpoint.url}/files/${token}/passwd`).then((response) => expect(response.status).toBe(401));
  });
});
