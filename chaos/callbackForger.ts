// An attacker at the callback endpoint. Some forgeries come from someone who only knows the URL
// shape (made-up tokens, tokens signed with a guessed secret); the rest from someone who has seen a
// real callback URL (a leaked log line, a provider's dashboard): the token is genuine, and the
// forgery is in what comes with it — an expired token, another task's id, a body that is not JSON,
// the wrong content type, or one too large to read. The endpoint must refuse what it can, and the
// run must ignore the rest: a callback is only a hint, and the provider's query decides.
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { signCallbackToken, verifyCallbackToken, type CallbackClaims } from '../callbacks/callbackToken';
import { CALLBACK_BODY_LIMIT_BYTES } from '../callbacks/callbackEndpoint';

export const FORGERY_KINDS = ['made-up-token', 'wrong-secret', 'expired-token', 'other-task-id', 'not-json', 'wrong-content-type', 'too-large'] as const;
export type ForgeryKind = (typeof FORGERY_KINDS)[number];

export interface ForgeryOutcome {
  kind: ForgeryKind;
  /** HTTP status, or 0 when no answer came (the endpoint down for a moment). */
  status: number;
}

export interface ForgerOptions {
  /** Base URL of the callback endpoint, e.g. http://127.0.0.1:8787 */
  endpointUrl: string;
  /** Real callback URLs seen so far (from the provider's records); genuine tokens are taken from them. */
  seenCallbackUrls: () => string[];
  /** The real secret: to read genuine tokens' claims, and to make the expired token a URL replayed long after would carry. */
  secret: string;
}

/** A callback body in the two shapes our dialects send webhooks in, naming a task that is not the step's. */
function hintForAnotherTask(provider: string): unknown {
  const taskId = randomBytes(16).toString('hex');
  if (provider === 'acedata') return { success: true, task_id: taskId, data: [] };
  if (provider === 'newapi') return { task_id: taskId, status: 'SUCCESS', data: [] };
  return { code: 200, msg: 'success', data: { callbackType: 'complete', task_id: taskId, data: [] } };
}

function genuineClaims(url: string, secret: string): { token: string; claims: CallbackClaims } | undefined {
  const token = url.slice(url.lastIndexOf('/') + 1);
  const check = verifyCallbackToken(secret, token);
  return check.ok ? { token, claims: check.claims } : undefined;
}

export async function sendForgery(options: ForgerOptions, kind: ForgeryKind): Promise<ForgeryOutcome> {
  const seen = options.seenCallbackUrls();
  const genuine = seen.length > 0 ? genuineClaims(seen[Math.floor(Math.random() * seen.length)] ?? '', options.secret) : undefined;
  const claims: CallbackClaims = genuine?.claims ?? { workflowId: 'album-x-t01', stepId: 'song', provider: 'anyint', expiresAt: new Date(Date.now() + 3_600_000) };
  const validToken = genuine?.token ?? signCallbackToken(randomBytes(24).toString('hex'), claims);

  let token = validToken;
  let body: string = JSON.stringify(hintForAnotherTask(claims.provider));
  let contentType = 'application/json';
  switch (kind) {
    case 'made-up-token':
      token = `${randomBytes(48).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
      break;
    case 'wrong-secret':
      token = signCallbackToken(randomBytes(24).toString('hex'), claims);
      break;
    case 'expired-token':
      token = signCallbackToken(options.secret, { ...claims, expiresAt: new Date(Date.now() - 60_000) });
      break;
    case 'other-task-id':
      break;
    case 'not-json':
      body = '{"code":200,"data":{"task_id":';
      break;
    case 'wrong-content-type':
      contentType = 'text/plain';
      break;
    case 'too-large':
      body = JSON.stringify({ code: 200, padding: 'x'.repeat(CALLBACK_BODY_LIMIT_BYTES + 1024) });
      break;
  }
  try {
    const answer = await request(`${options.endpointUrl}/callbacks/${token}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    await answer.body.dump();
    return { kind, status: answer.statusCode };
  } catch {
    return { kind, status: 0 };
  }
}
