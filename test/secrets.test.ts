// API keys and the callback secret stay on the worker: never in a provider error, a run's inputs or
// history, or a log line; and a public callback URL needs a secret of its own. The history check runs
// the real stack with "real" providers (ANYINT_BASE_URL/ANYINT_API_KEY pointing at a simulator that
// demands a distinctive key, and gateways answering auth errors) and searches every decoded byte.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toActivityFailure } from '../steps/activityFailures';
import { ConfigError, loadConfig } from '../runtime/config';
import { startStack, type RunningStack } from '../stack/stack';
import { acedata } from '../providers/acedata/adapter';
import { anyint } from '../providers/anyint/adapter';
import { callProvider } from '../providers/http';
import { newapi } from '../providers/newapi/adapter';
import { startSimulator, type RunningSimulator } from '../simulator';
import type { SongPipelineInput } from '../contracts/songPipeline';
import { WORKFLOWS_PATH } from '../workers/worker';

const API_KEY = 'sk-live-DISTINCTIVE-KEY-5c1e0b7a93';
const OTHER_KEY = 'sk-live-OTHER-GATEWAY-KEY-8d2f44';
const CALLBACK_SECRET = 'cb-secret-DISTINCTIVE-0f3e9a21b7c4';
const SECRETS = [API_KEY, OTHER_KEY, CALLBACK_SECRET];

/** Fails naming which secret appeared where, without printing the whole haystack. */
function expectNoSecrets(haystack: string, where: string): void {
  for (const secret of SECRETS) {
    const at = haystack.indexOf(secret);
    expect(at === -1 ? 'absent' : `${where} contains a secret: …${haystack.slice(Math.max(0, at - 80), at + secret.length + 20)}…`).toBe('absent');
  }
}

/** Every string in a value, with byte arrays (payloads) decoded as UTF-8. */
function allText(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) for (const v of value) allText(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) allText(v, out);
  return out;
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * A gateway that refuses every request with 401. Under /echo it quotes the Authorization header back,
 * as some real gateways do ("invalid token: sk-…"); under /plain it does not.
 */
async function startRefusingGateway() {
  const seen: string[] = [];
  const app = Fastify();
  app.all('/echo/*', async (req, reply) => {
    seen.push(String(req.headers.authorization));
    return reply.code(401).send({ code: 401, msg: `invalid api key: ${req.headers.authorization}`, success: false, error: { code: 'invalid_token', message: `invalid token ${req.headers.authorization}` } });
  });
  app.all('/echo-text/*', async (req, reply) => {
    seen.push(String(req.headers.authorization));
    return reply.code(502).type('text/html').send(`<html>bad gateway; request headers: ${JSON.stringify(req.headers)}</html>`);
  });
  app.all('/plain/*', async (req, reply) => {
    seen.push(String(req.headers.authorization));
    return reply.code(401).send({ code: 401, msg: 'invalid api key', success: false, error: { code: 'invalid_token', message: 'invalid token' } });
  });
  app.post('/hang/*', () => new Promise(() => {}));
  app.post('/cut/*', async (req) => {
    req.raw.socket.destroy();
    return new Promise(() => {});
  });
  app.post('/not-json/*', async (_req, reply) => reply.code(200).type('text/html').send('<html>maintenance</html>'));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, seen, close: () => app.close() };
}

describe('a failed provider call', () => {
  let gateway: Awaited<ReturnType<typeof startRefusingGateway>>;
  beforeAll(async () => {
    gateway = await startRefusingGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  /** The error as the caller sees it and as it would enter history (toActivityFailure), all as text. */
  async function failureText(baseUrl: string, route: string, timeoutMs = 2_000): Promise<string> {
    const err = await callProvider(anyint, { baseUrl, apiKey: API_KEY }, { method: 'POST', path: route, body: { prompt: 'x' } }, { timeoutMs, idempotent: false }).then(
      () => {
        throw new Error(`${route}: expected a failure`);
      },
      (e: unknown) => e as Error,
    );
    const asFailure = toActivityFailure(err, true) as Error & { details?: unknown };
    return [err.message, String(err), err.stack ?? '', JSON.stringify(err), asFailure.message, JSON.stringify(asFailure.details ?? null)].join('\n');
  }

  it('never names the API key: auth refusal, 5xx, non-JSON success, timeout, cut connection, refused connection', async () => {
    const cases: [string, string, number?][] = [
      [gateway.url, '/plain/suno/generate'],
      [gateway.url, '/not-json/suno/generate'],
      [gateway.url, '/hang/suno/generate', 300],
      [gateway.url, '/cut/suno/generate'],
      [`http://127.0.0.1:${await closedPort()}`, '/suno/generate'],
    ];
    for (const [base, route, timeoutMs] of cases) expectNoSecrets(await failureText(base, route, timeoutMs), `error of ${route}`);
    // The key did travel (as it must, to the provider only).
    expect(gateway.seen).toContain(`Bearer ${API_KEY}`);
  });

  // KNOWN DEFECT (reported): providers/http.ts quotes the provider's answer verbatim in the error, so
  // a gateway that echoes the Authorization header puts the key into the error, the activity
  // failure, the run's history and the worker's log. Remove `.fails` once http.ts scrubs the key.
  it('never names the API key even when the provider echoes it back', async () => {
    expectNoSecrets(await failureText(gateway.url, '/echo/suno/generate'), 'error of a JSON echo');
    expectNoSecrets(await failureText(gateway.url, '/echo-text/suno/generate'), 'error of a text echo');
  });
});

describe('configuration', () => {
  it('refuses a public callback URL without a configured secret, naming CALLBACK_SECRET', () => {
    for (const url of ['https://hooks.example.com', 'http://0.0.0.0:8787', 'https://127.hooks.example.com', 'http://localhost.example.com']) {
      expect(() => loadConfig({ CALLBACK_PUBLIC_URL: url }), url).toThrow(ConfigError);
      expect(() => loadConfig({ CALLBACK_PUBLIC_URL: url }), url).toThrow(/CALLBACK_SECRET/);
    }
    // Loopback URLs may use the generated secret.
    for (const url of ['http://127.0.0.1:8787', 'http://localhost:8787', 'http://[::1]:8787', 'http://127.1:8787']) {
      expect(loadConfig({ CALLBACK_PUBLIC_URL: url }).callbacks.secret, url).toBeUndefined();
    }
    expect(loadConfig({ CALLBACK_PUBLIC_URL: 'https://hooks.example.com', CALLBACK_SECRET }).callbacks.secret).toBe(CALLBACK_SECRET);
  });

  it('never quotes a secret or key in a configuration error', () => {
    const attempts: NodeJS.ProcessEnv[] = [
      { CALLBACK_SECRET: 'short-secret-x' },
      { ANYINT_API_KEY: API_KEY },
      { ANYINT_API_KEY: API_KEY, ANYINT_BASE_URL: `not a url ${CALLBACK_SECRET}` },
      { NEWAPI_API_KEY: OTHER_KEY, CALLBACK_PORT: 'abc', CALLBACK_SECRET: CALLBACK_SECRET.slice(0, 10) },
    ];
    for (const env of attempts) {
      const err = (() => {
        try {
          loadConfig(env);
        } catch (e) {
          return e as Error;
        }
        throw new Error(`expected a ConfigError for ${Object.keys(env).join(', ')}`);
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expectNoSecrets(err.message, 'config error');
      expect(err.message).not.toContain('short-secret-x');
      expect(err.message).not.toContain(CALLBACK_SECRET.slice(0, 10));
    }
  });
});

describe('a run on the stack with real provider endpoints', () => {
  let scratch: string;
  let simulator: RunningSimulator;
  let gateway: Awaited<ReturnType<typeof startRefusingGateway>>;
  let stack: RunningStack;
  const stackLog: string[] = [];
  const sdkLog: string[] = [];
  const simulatorLog: string[] = [];

  beforeAll(async () => {
    // The SDK's own log (activity failures, worker warnings) is part of what a user sees.
    Runtime.install({ logger: new DefaultLogger('DEBUG', (entry) => sdkLog.push(`${entry.message} ${JSON.stringify(entry.meta ?? {})}`)) });
    scratch = await mkdtemp(path.join(tmpdir(), 'secrets-'));
    const [bundle, sim, gw] = await Promise.all([
      bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') }),
      startSimulator({ port: 0, apiKey: API_KEY, stageDelaysMs: { text: 300, first: 600, complete: 900 }, clipSeconds: 4, stateDir: path.join(scratch, 'real-provider'), log: (line) => simulatorLog.push(line) }),
      startRefusingGateway(),
    ]);
    simulator = sim;
    gateway = gw;
    const config = loadConfig({
      ANYINT_BASE_URL: simulator.url,
      ANYINT_API_KEY: API_KEY,
      NEWAPI_BASE_URL: `${gateway.url}/echo`,
      NEWAPI_API_KEY: OTHER_KEY,
      ACEDATA_BASE_URL: `${gateway.url}/plain`,
      ACEDATA_API_KEY: OTHER_KEY,
      CALLBACK_SECRET,
    });
    stack = await startStack({
      config,
      log: (line) => stackLog.push(line),
      devServer: { port: 0, uiPort: 0, ui: false, dbFile: path.join(scratch, 'temporal.db') },
      simulator: { port: 0, stageDelaysMs: { text: 300, first: 600, complete: 900 }, clipSeconds: 4, stateDir: path.join(scratch, 'simulator') },
      callbackPort: 0,
      workflowBundle: bundle,
      pollScale: 0.2,
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await simulator?.close();
    await gateway?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  function start(workflowId: string, provider: SongPipelineInput['provider'], steps: SongPipelineInput['steps'], instrumental: boolean): Promise<WorkflowHandle> {
    const input: SongPipelineInput = {
      provider,
      request: { prompt: `a song that keeps its secrets (${workflowId})`, instrumental, ...(instrumental ? { style: 'ambient', title: 'Secrets' } : {}) },
      steps,
      outDir: path.join(scratch, 'out', workflowId),
      callbacks: true,
    };
    return stack.client.workflow.start('songPipeline', { taskQueue: stack.taskQueue, workflowId, args: [input] });
  }

  async function runText(handle: WorkflowHandle): Promise<string> {
    const history = await handle.fetchHistory();
    const description = await handle.describe();
    const text = [...allText(history), ...allText(description.raw)].join('\n');
    // The decoding works: the run's own prompt is readable in it.
    expect(text).toContain('a song that keeps its secrets');
    return text;
  }

  async function filesText(dir: string): Promise<string> {
    const texts: string[] = [];
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && /\.(json|txt|lrc)$/.test(entry.name)) texts.push(await readFile(path.join(entry.parentPath, entry.name), 'utf8'));
    }
    return texts.join('\n');
  }

  it('a song made through a keyed provider, with callbacks, leaves no key or secret in history, files or logs', async () => {
    const signalledBefore = stack.callbackEndpoint!.stats.signalled;
    const handle = await start('secrets-song', 'anyint', ['lyrics', 'song'], false);
    const result = await handle.result();
    expect(result.status).toBe('succeeded');
    // The keyed provider did the work, and its webhooks came through the signed callback URLs.
    expect(simulator.ledger.length).toBeGreaterThanOrEqual(2);
    expect(stack.callbackEndpoint!.stats.signalled).toBeGreaterThan(signalledBefore);

    expectNoSecrets(await runText(handle), 'history of the song run');
    expectNoSecrets(await filesText(result.outDir), 'the track folder');
    expectNoSecrets(stackLog.join('\n'), 'the stack log');
    expectNoSecrets(sdkLog.join('\n'), 'the SDK log');
    expectNoSecrets(simulatorLog.join('\n'), "the provider's log");
  });

  it('a run refused by its provider (auth) fails without the key in history or logs', async () => {
    const handle = await start('secrets-refused', 'acedata', ['song'], true);
    const failure = await handle.result().then(
      () => 'succeeded',
      (err: Error) => allText(err).join(' ') + JSON.stringify(err.cause ?? null),
    );
    expect(failure).toMatch(/auth/);
    expect(gateway.seen).toContain(`Bearer ${OTHER_KEY}`);
    expectNoSecrets(failure, 'the failure the client sees');
    expectNoSecrets(await runText(handle), 'history of the refused run');
    expectNoSecrets(stackLog.join('\n'), 'the stack log');
    expectNoSecrets(sdkLog.join('\n'), 'the SDK log');
  });

  // KNOWN DEFECT (reported), the same as above seen end to end: the echoed key reaches the run's
  // history through the activity failure. Remove `.fails` once providers/http.ts scrubs the key.
  it('a run refused by a provider that echoes the key fails without the key in history', async () => {
    const handle = await start('secrets-echoed', 'newapi', ['song'], true);
    await handle.result().catch(() => undefined);
    expectNoSecrets(await runText(handle), 'history of the echoed run');
  });
});
