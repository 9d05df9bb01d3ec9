// Thousands of random requests against the callback endpoint over loopback: random bytes, random
// JSON shapes, deep nesting, strings at the size limit, wrong types, random tokens, paths, methods and
// content types. The subject is the HTTP layer, so Temporal is a stub that counts signal calls; the
// endpoint with a real server is test/callbackEndpoint.test.ts. Set FUZZ_SEED to replay a run.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCallbackToken } from '../callbacks/callbackToken';
import { PROVIDER_NAMES } from '../providers/model';
import { CALLBACK_BODY_LIMIT_BYTES, startCallbackEndpoint, type CallbackEndpoint } from '../callbacks/callbackEndpoint';

const SECRET = 'fuzz-secret-fuzz-secret-fuzz-secret';
const REQUESTS = 3000;
const CONCURRENCY = 32;
const TIME_BUDGET_MS = 30_000;
const ALLOWED = [200, 400, 401, 404, 405, 410, 413, 415];
/** Planted in bodies: must never reach a log line. */
const BODY_SECRET = 'BODY-SECRET-3f9a';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

/** mulberry32: small, seedable, good enough to pick cases. */
function prng(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(seed);
const int = (max: number) => Math.floor(random() * max);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
const chance = (p: number) => random() < p;

interface SignalCall {
  workflowId: string;
  payload: unknown;
}
const signals: SignalCall[] = [];
/** Workflow ids of tokens we signed with the right secret: the only ones a signal may name. */
const validWorkflowIds = new Set<string>();
const logLines: string[] = [];
let endpoint: CallbackEndpoint;
let agent: Agent;

/** Stands in for Temporal: counts signals; runs named fuzz-closed-* are over. */
const stubClient = {
  withDeadline: <R>(_deadline: number | Date, fn: () => Promise<R>) => fn(),
  workflow: {
    getHandle: (workflowId: string) => ({
      signal: async (_def: unknown, payload: unknown) => {
        signals.push({ workflowId, payload });
        if (workflowId.startsWith('fuzz-closed-')) throw new WorkflowNotFoundError('workflow execution already completed', workflowId, undefined);
      },
    }),
  },
} as unknown as Pick<Client, 'workflow' | 'withDeadline'>;

beforeAll(async () => {
  console.log(`callback fuzz seed ${seed} (FUZZ_SEED=${seed} replays it)`);
  endpoint = await startCallbackEndpoint({ client: stubClient, secret: SECRET, port: 0, log: (line) => logLines.push(line) });
  agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 10_000 });
});

afterAll(async () => {
  await agent?.close();
  await endpoint?.close();
});

// ---- tokens ----

interface TokenCase {
  token: string;
  valid: boolean;
}

function claims(workflowId: string, provider: string, expiresInMs = 3_600_000) {
  return { workflowId, stepId: pick(['song', 'lyrics', 'wav', 'stems', '']) || 'song', provider, expiresAt: new Date(Date.now() + expiresInMs) };
}

function randomString(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~%'): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[int(alphabet.length)];
  return s;
}

function randomToken(n: number): TokenCase {
  const kind = int(12);
  switch (kind) {
    case 0:
    case 1:
    case 2: {
      // Right secret, known provider: the endpoint must accept the token (the body decides the rest).
      const closed = chance(0.3);
      const workflowId = `fuzz-${closed ? 'closed' : 'valid'}-${n}`;
      validWorkflowIds.add(workflowId);
      const provider = chance(0.7) ? 'anyint' : pick(PROVIDER_NAMES);
      return { token: signCallbackToken(SECRET, claims(workflowId, provider)), valid: true };
    }
    case 3:
      return { token: signCallbackToken(`other-${randomString(24)}`, claims(`fuzz-forged-${n}`, 'anyint')), valid: false };
    case 4:
      return { token: signCallbackToken(SECRET, claims(`fuzz-expired-${n}`, 'anyint', -1 - int(100_000))), valid: false };
    case 5: {
      // A valid token with one character changed.
      const good = signCallbackToken(SECRET, claims(`fuzz-tampered-${n}`, 'anyint'));
      const i = int(good.length);
      const swapped = good[i] === 'A' ? 'B' : 'A';
      return { token: good.slice(0, i) + swapped + good.slice(i + 1), valid: false };
    }
    case 6:
      return { token: signCallbackToken(SECRET, claims(`fuzz-unknown-provider-${n}`, pick(['evil', 'ANYINT', 'anyint ', '__proto__']))), valid: false };
    case 7:
      return { token: `${Buffer.from(JSON.stringify({ w: `fuzz-guess-${n}`, s: 'song', p: 'anyint', e: 9_999_999_999 })).toString('base64url')}.${randomBytes(32).toString('base64url')}`, valid: false };
    case 8:
      return { token: randomString(int(3000)), valid: false };
    case 9:
      return { token: `${randomString(int(60))}.${randomString(int(60))}`, valid: false };
    case 10:
      return { token: pick(['', '.', '..', 'a.', '.b', '%2e', '%00', '%ff%fe', '%', 'null', 'undefined', '[object Object]']), valid: false };
    default:
      return { token: randomBytes(int(200)).toString('base64url'), valid: false };
  }
}

// ---- bodies ----

const KEYS = ['code', 'msg', 'data', 'task_id', 'taskId', 'callbackType', 'status', 'success', 'id', 'error', 'clips', 'audio_url', '__proto__', 'constructor', 'prototype', BODY_SECRET, ''];

function randomJson(depth: number): unknown {
  const kind = depth <= 0 ? int(6) : int(8);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return chance(0.5);
    case 2:
      return pick([0, -1, 1e308, -1e-308, 2 ** 53 + 1, 200, 3.14, Number.MAX_SAFE_INTEGER]);
    case 3:
      return pick(['', 'complete', 'first', 'text', 'error', 'SUCCESS', `${BODY_SECRET}-${randomString(8)}`, '\u0000\u202e\ud83c\udfb5', randomString(int(100))]);
    case 4:
      return randomString(int(40));
    case 5:
      return pick([{}, [], '0', 'null']);
    case 6:
      return Array.from({ length: int(6) }, () => randomJson(depth - 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = int(6); i > 0; i--) o[pick(KEYS)] = randomJson(depth - 1);
      return o;
    }
  }
}

function plausibleCallback(provider: 'anyint' | 'newapi' | 'acedata'): unknown {
  const taskId = chance(0.9) ? `task-${randomString(8)}` : randomJson(1);
  if (provider === 'anyint') return { code: pick([200, 200, 400, '200', 531]), msg: 'ok', data: { callbackType: pick(['complete', 'first', 'text', 'error', 'COMPLETE', 'odd', null]), task_id: taskId, data: randomJson(2) } };
  if (provider === 'newapi') return { code: 'success', data: { task_id: taskId, status: pick(['SUCCESS', 'FAILURE', 'IN_PROGRESS', 'odd']), data: randomJson(2) } };
  return { success: pick([true, false, 'true']), task_id: taskId, data: randomJson(2) };
}

/** Deep nesting well within the size limit: parsers and schema checks must not recurse to death. */
function deeplyNested(): string {
  const depth = 1000 + int(60_000);
  if (chance(0.5)) return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  return `${'{"data":'.repeat(depth / 8)}1${'}'.repeat(depth / 8)}`;
}

/** A string body within a few bytes of the limit, either side. */
function nearLimit(): string {
  const target = CALLBACK_BODY_LIMIT_BYTES + int(200) - 100;
  const head = `{"code":200,"data":{"callbackType":"complete","task_id":"`;
  const tail = '"}}';
  return head + 'x'.repeat(Math.max(0, target - head.length - tail.length)) + tail;
}

interface BodyCase {
  body?: Buffer;
  contentType?: string;
}

function randomBody(): BodyCase {
  const json = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value) ?? 'null');
  let body: Buffer | undefined;
  switch (int(10)) {
    case 0:
      body = randomBytes(int(2000));
      break;
    case 1:
      body = json(randomJson(4));
      break;
    case 2:
      body = json(deeplyNested());
      break;
    case 3:
      body = json(chance(0.8) ? nearLimit() : `"${'y'.repeat(CALLBACK_BODY_LIMIT_BYTES * (1 + int(3)))}"`);
      break;
    case 4: {
      const text = JSON.stringify(plausibleCallback(pick(['anyint', 'newapi', 'acedata'] as const)));
      body = Buffer.from(text.slice(0, int(text.length)));
      break;
    }
    case 5:
      body = chance(0.5) ? undefined : Buffer.alloc(0);
      break;
    case 6:
      body = json(pick(['{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '{"a":1,"a":2}', '\ufeff{}', '{"code":200}\n{"code":200}', '1e999999', '"\\ud800"']));
      break;
    default:
      body = json(plausibleCallback(pick(['anyint', 'newapi', 'acedata'] as const)));
  }
  const contentType = chance(0.75)
    ? pick(['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=latin1'])
    : pick([undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json-patch+json', 'application/jsonx', 'json', ';', 'application/octet-stream', '*/*']);
  return { body, contentType };
}

// ---- requests ----

interface Sent {
  method: string;
  path: string;
  validToken: boolean;
  callbackRoute: boolean;
  status: number;
}

function randomPath(token: TokenCase): { path: string; callbackRoute: boolean } {
  const t = token.token;
  switch (int(14)) {
    case 0:
      return { path: pick(['/', '/callbacks', '/callbacks/', '/healthz', '/healthz/', '//callbacks', '/CALLBACKS/x', '/favicon.ico', '/%2e%2e/healthz']), callbackRoute: false };
    case 1:
      return { path: `/callbacks/${t}/extra`, callbackRoute: false };
    case 2:
      return { path: `/${randomString(int(80), 'abcxyz/%._-0123456789')}`, callbackRoute: false };
    case 3:
      return { path: `/callbacks/${t}?token=${randomString(20)}&x=${BODY_SECRET}`, callbackRoute: true };
    default:
      return { path: `/callbacks/${t}`, callbackRoute: true };
  }
}

async function sendOne(n: number): Promise<Sent> {
  const token = randomToken(n);
  const { path, callbackRoute } = randomPath(token);
  const method = chance(0.85) ? 'POST' : pick(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH']);
  const { body, contentType } = randomBody();
  const withBody = method !== 'GET' && method !== 'HEAD' && method !== 'TRACE' && body !== undefined;
  const response = await request(`${endpoint.url}${path}`, {
    method,
    dispatcher: agent,
    headers: contentType && withBody ? { 'content-type': contentType } : contentType && chance(0.5) ? { 'content-type': contentType } : {},
    body: withBody ? body : undefined,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  await response.body.dump();
  return { method, path, validToken: token.valid, callbackRoute: callbackRoute && method === 'POST', status: response.statusCode };
}

/** Raw garbage on the socket: the HTTP parser refuses it, the server stays up. */
async function sendRaw(bytes: Buffer): Promise<string> {
  const url = new URL(endpoint.url);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    socket.setTimeout(3000, () => socket.destroy());
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('error', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.on('connect', () => socket.end(bytes));
  });
}

describe('callback endpoint under random input', () => {
  it(`answers ${REQUESTS} random requests with a 4xx or 200, never a 500, and signals only for valid tokens`, async () => {
    const started = performance.now();
    const sent: Sent[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) sent.push(await sendOne(next++));
      }),
    );
    const raw = await Promise.all(Array.from({ length: 50 }, () => sendRaw(chance(0.5) ? randomBytes(1 + int(500)) : Buffer.from(`${pick(['GET', 'POST', 'FOO', '\u0000'])} ${randomString(int(200), 'ab/%\r\n :')} HTTP/${pick(['1.1', '9.9', 'x'])}\r\n${randomString(int(100), 'ab:\r\n ')}\r\n\r\n`))));
    const elapsedMs = performance.now() - started;

    const byStatus = new Map<number, number>();
    for (const s of sent) byStatus.set(s.status, (byStatus.get(s.status) ?? 0) + 1);
    console.log(`fuzz: ${sent.length} requests + ${raw.length} raw in ${(elapsedMs / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...byStatus].sort(([a], [b]) => a - b)))}; ${signals.length} signals; stats ${JSON.stringify(endpoint.stats)}`);

    expect(sent).toHaveLength(REQUESTS);
    expect(elapsedMs).toBeLessThan(TIME_BUDGET_MS);
    const unexpected = sent.filter((s) => !ALLOWED.includes(s.status));
    expect(unexpected.slice(0, 5)).toEqual([]);
    // Raw garbage gets nothing, or an HTTP 400 from the parser: never a 5xx.
    expect(raw.filter((answer) => /^HTTP\/1\.[01] 5/.test(answer))).toEqual([]);

    // Only a request carrying a valid token can reach Temporal, and every signal names a signed run.
    const reachedTemporal = sent.filter((s) => s.callbackRoute && (s.status === 200 || s.status === 410));
    expect(reachedTemporal.filter((s) => !s.validToken)).toEqual([]);
    expect(signals.filter((s) => !validWorkflowIds.has(s.workflowId))).toEqual([]);
    expect(signals).toHaveLength(reachedTemporal.length);
    // The payload is exactly the hint: no body field rides along into history.
    for (const s of signals) expect(Object.keys(s.payload as object).sort()).toEqual(['stage', 'stepId', 'taskId']);
    // Each kind of answer actually occurred, so the run exercised every branch.
    for (const status of [200, 400, 401, 404, 405, 410, 413, 415]) expect(byStatus.get(status) ?? 0).toBeGreaterThan(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // Still up: health, and a well-formed callback goes through.
    const health = await request(`${endpoint.url}/healthz`, { dispatcher: agent });
    expect(health.statusCode).toBe(200);
    await health.body.dump();
    const token = signCallbackToken(SECRET, { workflowId: 'fuzz-after', stepId: 'song', provider: 'anyint', expiresAt: new Date(Date.now() + 60_000) });
    const after = await request(`${endpoint.url}/callbacks/${token}`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 200, data: { callbackType: 'complete', task_id: 't1' } }),
    });
    expect(after.statusCode).toBe(200);
    await after.body.dump();

    // Logs: few (refusals are summarised), and without tokens or body content.
    expect(logLines.filter((l) => l.startsWith('callback refused')).length).toBeLessThan(20);
    expect(logLines.filter((l) => l.includes(BODY_SECRET) || l.includes(SECRET))).toEqual([]);
    expect(logLines.filter((l) => /[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{43}/.test(l))).toEqual([]);
  });

  it('sheds load with a quick 503 when too many signals wait on a slow Temporal, and recovers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const slowClient = {
      withDeadline: <R>(_deadline: number | Date, fn: () => Promise<R>) => fn(),
      workflow: { getHandle: () => ({ signal: async () => { calls++; await gate; } }) },
    } as unknown as Pick<Client, 'workflow' | 'withDeadline'>;
    const slow = await startCallbackEndpoint({ client: slowClient, secret: SECRET, port: 0, maxSignalsInFlight: 8 });
    try {
      const token = signCallbackToken(SECRET, { workflowId: 'fuzz-slow', stepId: 'song', provider: 'anyint', expiresAt: new Date(Date.now() + 60_000) });
      const post = () =>
        request(`${slow.url}/callbacks/${token}`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code: 200, data: { callbackType: 'complete', task_id: 't1' } }),
        }).then(async (r) => {
          await r.body.dump();
          return { status: r.statusCode, retryAfter: r.headers['retry-after'] };
        });
      const waiting = Array.from({ length: 8 }, post);
      while (calls < 8) await new Promise((r) => setTimeout(r, 10));
      const shed = await Promise.all(Array.from({ length: 12 }, post));
      expect(shed.map((a) => a.status)).toEqual(Array(12).fill(503));
      expect(shed[0]!.retryAfter).toBeDefined();
      const health = await request(`${slow.url}/healthz`, { dispatcher: agent });
      expect(health.statusCode).toBe(200);
      await health.body.dump();
      release();
      expect((await Promise.all(waiting)).map((a) => a.status)).toEqual(Array(8).fill(200));
      expect((await post()).status).toBe(200);
      expect(slow.stats.unavailable).toBe(12);
    } finally {
      release();
      await slow.close();
    }
  });
});
