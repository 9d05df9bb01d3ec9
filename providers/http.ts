// Performs one provider HTTP exchange and turns every way it can fail into a classified
// ProviderError. The distinction that matters most is whether the provider may have acted on a
// request we did not get an answer to: that is `ambiguous`, and a submit in that state must not be
// repeated silently.
import { errors as undiciErrors, request } from 'undici';
import type { HttpCall, ProviderAdapter } from './adapter';
import { ProviderError } from './errors';

export interface ProviderEndpoint {
  baseUrl: string;
  /** Sent as a Bearer token; never logged, never part of an error message. */
  apiKey: string;
}

export interface CallOptions {
  timeoutMs: number;
  /** Queries are safe to repeat; submits are not (a lost answer is `ambiguous`). */
  idempotent: boolean;
  signal?: AbortSignal;
}

/** Error codes that mean the request never reached the provider, so nothing was created there. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export async function callProvider(adapter: ProviderAdapter, endpoint: ProviderEndpoint, call: HttpCall, options: CallOptions): Promise<unknown> {
  // Plain concatenation keeps a base URL's path prefix (a gateway mounted under /v1, say).
  const url = `${endpoint.baseUrl.replace(/\/+$/, '')}${call.path}`;

  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, {
      method: call.method,
      headers: {
        authorization: `Bearer ${endpoint.apiKey}`,
        accept: 'application/json',
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      signal: options.signal,
    });
  } catch (err) {
    throw transportError(adapter, err, options, endpoint.apiKey);
  }

  // Some gateways echo the Authorization header in their error answers; the key must not travel on
  // into errors, workflow history or logs.
  const text = withoutKey(await readText(response.body, adapter, options), endpoint.apiKey);
  const parsed = parseJson(text);
  if (response.statusCode < 200 || response.statusCode >= 300) {
    const retryAfter = retryAfterMs(response.headers['retry-after']);
    const specific = parsed === undefined ? undefined : adapter.errorFromBody?.(response.statusCode, parsed);
    if (specific) throw new ProviderError(specific.provider, specific.errorClass, specific.code, specific.providerMessage, specific.retryAfterMs ?? retryAfter);
    throw new ProviderError(adapter.name, adapter.classify(response.statusCode), String(response.statusCode), messageOf(parsed) ?? truncate(text), retryAfter);
  }
  if (parsed === undefined) {
    // A success status with an unreadable body: for a submit we cannot know whether a task exists.
    throw new ProviderError(adapter.name, options.idempotent ? 'unavailable' : 'ambiguous', String(response.statusCode), `answer is not JSON: ${truncate(text)}`);
  }
  return parsed;
}

async function readText(body: { text(): Promise<string> }, adapter: ProviderAdapter, options: CallOptions): Promise<string> {
  try {
    return await body.text();
  } catch (err) {
    throw transportError(adapter, err, options, '');
  }
}

function withoutKey(text: string, apiKey: string): string {
  return apiKey.length >= 8 ? text.split(apiKey).join('[api key]') : text;
}

function transportError(adapter: ProviderAdapter, err: unknown, options: CallOptions, apiKey: string): ProviderError {
  const code = (err as { code?: string }).code ?? (err as Error).name ?? 'network';
  const cause = (err as { cause?: { code?: string } }).cause?.code;
  const notSent = NOT_SENT_CODES.has(code) || (cause !== undefined && NOT_SENT_CODES.has(cause));
  const errorClass = notSent || options.idempotent ? 'unavailable' : 'ambiguous';
  const what = err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError ? `no answer within ${options.timeoutMs} ms` : (err as Error).message;
  return new ProviderError(adapter.name, errorClass, cause ?? code, withoutKey(what, apiKey));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function messageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const nested = typeof b.error === 'object' && b.error !== null ? (b.error as Record<string, unknown>).message : undefined;
  const msg = b.msg ?? b.message ?? nested ?? b.error;
  return typeof msg === 'string' && msg.length > 0 ? msg : undefined;
}

function truncate(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** Retry-After is either seconds or an HTTP date. */
export function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
