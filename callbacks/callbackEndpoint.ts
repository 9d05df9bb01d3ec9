// The callback endpoint: providers' webhooks land here. It verifies the signed token in the URL,
// reads the provider task id from the body with that provider's dialect, signals the workflow, and
// answers within milliseconds. It never trusts the body: the workflow treats the signal as a hint
// and asks the provider's query API for the truth.
//
// The endpoint faces the internet, so every answer is decided before any work worth attacking:
// the token is checked as soon as the route is known, before the body is even read, so a forged
// request costs one HMAC; only POSTs of JSON under the size limit are parsed; Temporal calls are
// bounded in number and time, so a slow or unreachable server turns into quick 503s (the provider
// redelivers and polling covers the gap) instead of piling up sockets. Answers and log lines carry
// no detail that helps forging, and never the token or the body.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { verifyCallbackToken, type CallbackClaims } from './callbackToken';
import { registerFileRoute } from './fileRoute';
import { uploadsDir } from '../runtime/projectPaths';
import { PROVIDER_NAMES, type ProviderName } from '../providers/model';
import { adapterFor } from '../providers/registry';
import { providerEventSignal } from '../contracts/pipelineMessages';
import { MusicMetrics, type WebhookRefusal } from '../metrics/musicMetrics';

export const CALLBACK_BODY_LIMIT_BYTES = 256 * 1024;
/** Providers give up on an answer after about 15 s; a Temporal call that takes longer answers 503. */
export const CALLBACK_SIGNAL_TIMEOUT_MS = 5_000;
/** Signals waiting on Temporal at once; beyond this the endpoint sheds load with 503 (providers redeliver). */
export const CALLBACK_MAX_SIGNALS_IN_FLIGHT = 256;
/** A whole request (headers and body) must arrive within this: slow senders cannot hold sockets. */
const REQUEST_TIMEOUT_MS = 15_000;
/** Refusals are logged at most once per window, with a count, so a flood of forgeries cannot flood the log. */
const REFUSAL_LOG_WINDOW_MS = 10_000;

const CALLBACK_METHODS_REFUSED = ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export interface CallbackEndpointOptions {
  /** Only `workflow.getHandle(...).signal` and `withDeadline` are used (tests may pass a stub). */
  client: Pick<Client, 'workflow' | 'withDeadline'>;
  secret: string;
  host?: string;
  port: number;
  log?: (line: string) => void;
  signalTimeoutMs?: number;
  maxSignalsInFlight?: number;
  /** Where the user's audio is published for providers to fetch (GET /files/...); default .data/uploads. */
  uploadsDir?: string;
  /** Where webhooks received, refused, ignored and signalled are counted (default: counted nowhere anyone reads). */
  metrics?: MusicMetrics;
}

export interface CallbackEndpoint {
  url: string;
  stats: CallbackStats;
  close(): Promise<void>;
}

export interface CallbackStats {
  /** Callbacks delivered to their workflow as a providerEvent signal. */
  signalled: number;
  /** Callbacks answered 4xx: bad token, wrong method, type or size, unreadable body, closed run. */
  rejected: number;
  /** Of those, refused for their token (forged, expired, other secret, malformed). */
  unauthorized: number;
  /** Answered 503: Temporal unreachable, too slow, or too many signals in flight. */
  unavailable: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the token check, for the callback route only. */
    callbackClaims?: CallbackClaims & { provider: ProviderName };
    /** Set when the handler refuses a body its dialect cannot read (a 400 of ours, not the parser's). */
    callbackNotUnderstood?: boolean;
  }
}

const UNAUTHORIZED = { error: 'invalid callback token' } as const;

/** The cause of a refusal, by the status the endpoint answered. */
const REFUSALS_BY_STATUS: Record<number, WebhookRefusal> = { 400: 'malformed', 401: 'token', 405: 'method', 413: 'too-large', 415: 'content-type', 503: 'unavailable' };

/** Answers for the framework's own refusals, by status: short, and without the parser's detail (which can quote the body). */
const FRAMEWORK_ANSWERS: Record<number, string> = {
  400: 'malformed request',
  404: 'not found',
  405: 'method not allowed',
  413: `body larger than ${CALLBACK_BODY_LIMIT_BYTES} bytes`,
  415: 'content type must be application/json',
};

export function buildCallbackApp(options: Omit<CallbackEndpointOptions, 'port' | 'host'>, stats: CallbackStats): FastifyInstance {
  const log = options.log ?? (() => {});
  const metrics = options.metrics ?? new MusicMetrics({ processMetrics: false });
  // Two budgets, so that a flood of forgeries cannot hide a real provider whose bodies we no longer understand.
  const logForgery = throttled(log, REFUSAL_LOG_WINDOW_MS);
  const logRefusal = throttled(log, REFUSAL_LOG_WINDOW_MS);
  const signalTimeoutMs = options.signalTimeoutMs ?? CALLBACK_SIGNAL_TIMEOUT_MS;
  const maxInFlight = options.maxSignalsInFlight ?? CALLBACK_MAX_SIGNALS_IN_FLIGHT;
  let inFlight = 0;

  const app = Fastify({
    bodyLimit: CALLBACK_BODY_LIMIT_BYTES,
    // Tokens are a few hundred characters: above fastify's default 100-character path parameter limit.
    routerOptions: { maxParamLength: 2048 },
    requestTimeout: REQUEST_TIMEOUT_MS,
    logger: false,
    // Errors of the router itself. Its own answers quote the URL, which holds the token.
    // (These answers skip the onResponse hook, hence the counting here.)
    frameworkErrors: (err, req, genericReply) => {
      const reply = genericReply as FastifyReply;
      if (req.url.startsWith('/callbacks/')) {
        stats.rejected++;
        metrics.webhookReceived('unknown');
        metrics.webhookRefused(err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'token' : 'malformed');
      }
      // A path parameter above maxParamLength can only be a callback token, and not one of ours.
      if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        stats.unauthorized++;
        return reply.code(401).send(UNAUTHORIZED);
      }
      return reply.code(400).send({ error: FRAMEWORK_ANSWERS[400] });
    },
  });
  // Fastify also parses text/plain by default; a callback is JSON or nothing.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      // A bug, not bad input: say which route and the error's class, never the body.
      log(`callback endpoint error on ${req.method} ${routeOf(req)}: ${err.name} ${err.code ?? ''}`.trim());
    }
    return reply.code(status).send({ error: FRAMEWORK_ANSWERS[status] ?? (status === 500 ? 'internal error' : 'bad request') });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: FRAMEWORK_ANSWERS[404] }));
  app.addHook('onResponse', async (req, reply) => {
    if (!req.url.startsWith('/callbacks/')) return;
    if (reply.statusCode === 503) stats.unavailable++;
    else if (reply.statusCode >= 400) stats.rejected++;
    if (reply.statusCode === 401) stats.unauthorized++;
    const provider = req.callbackClaims?.provider;
    metrics.webhookReceived(provider ?? 'unknown');
    if (reply.statusCode === 410 && provider) metrics.webhookIgnored(provider, 'run-closed');
    else if (reply.statusCode >= 400) metrics.webhookRefused(req.callbackNotUnderstood ? 'not-a-callback' : (REFUSALS_BY_STATUS[reply.statusCode] ?? 'malformed'));
  });

  app.get('/healthz', async () => ({ ok: true, signalsInFlight: inFlight }));
  registerFileRoute(app, { secret: options.secret, uploadsDir: options.uploadsDir ?? uploadsDir(), log: logForgery });
  app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: '/healthz', handler: async (_req, reply) => methodNotAllowed(reply, 'GET, HEAD') });

  app.route({
    method: [...CALLBACK_METHODS_REFUSED],
    url: '/callbacks/:token',
    exposeHeadRoute: false,
    handler: async (_req, reply) => methodNotAllowed(reply, 'POST'),
  });

  app.post<{ Params: { token: string } }>('/callbacks/:token', {
    // Before the body is read: an unauthenticated request costs one HMAC and no parsing.
    onRequest: async (req, reply) => {
      const token = (req.params as { token?: unknown }).token;
      const check = typeof token === 'string' ? verifyCallbackToken(options.secret, token) : undefined;
      if (!check?.ok || !(PROVIDER_NAMES as readonly string[]).includes(check.claims.provider)) {
        // The reason (malformed, bad signature, expired) stays here: the answer is the same for all.
        logForgery(`callback refused: ${check && !check.ok ? check.reason : 'unknown-provider'} token`);
        return reply.code(401).send(UNAUTHORIZED);
      }
      req.callbackClaims = check.claims as CallbackClaims & { provider: ProviderName };
    },
    handler: async (req, reply) => {
      // A body the parser saw is JSON; an empty one of another type never reached a parser.
      if (!isJsonContentType(req.headers['content-type'])) return reply.code(415).send({ error: FRAMEWORK_ANSWERS[415] });
      const { workflowId, stepId, provider } = req.callbackClaims!;
      let hint;
      try {
        hint = adapterFor(provider).parseCallback(req.body);
      } catch (err) {
        logRefusal(`callback for ${workflowId}/${stepId} refused: ${describeParseError(err)}`);
        req.callbackNotUnderstood = true;
        return reply.code(400).send({ error: `body is not a callback in the ${provider} dialect` });
      }
      if (inFlight >= maxInFlight) {
        logRefusal(`callback for ${workflowId}/${stepId} deferred: ${inFlight} signals already waiting on Temporal`);
        return reply.code(503).header('retry-after', '5').send({ error: 'temporarily unavailable' });
      }
      const delivery = options.client.withDeadline(Date.now() + signalTimeoutMs, () =>
        options.client.workflow.getHandle(workflowId).signal(providerEventSignal, { stepId, taskId: hint.taskId, stage: hint.stage }),
      );
      // Counted until the call really ends, which may be after we answered: that is the load on Temporal.
      inFlight++;
      delivery.then(
        () => inFlight--,
        () => inFlight--,
      );
      // The client's retries overrun its deadline by seconds (backoff between attempts), so the
      // answer has its own clock. A signal that lands after a 503 only makes a duplicate hint.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), signalTimeoutMs)));
      try {
        if ((await Promise.race([delivery, late])) === 'late') throw new Error(`no answer from Temporal within ${signalTimeoutMs} ms`);
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) {
          return reply.code(410).send({ error: 'run is closed' });
        }
        // Temporal unreachable or too slow: the provider will redeliver, and polling covers the gap meanwhile.
        log(`callback for ${workflowId}/${stepId} not delivered: ${(err as Error).name}: ${(err as Error).message}`);
        return reply.code(503).header('retry-after', '5').send({ error: 'temporarily unavailable' });
      } finally {
        clearTimeout(timer);
      }
      stats.signalled++;
      metrics.webhookSignalled(provider, hint.stage);
      // The task id stays out: it comes from the body, and the run's history already has the one that counts.
      log(`callback ${hint.stage} for ${workflowId}/${stepId}`);
      return reply.code(200).send({ ok: true });
    },
  });

  return app;
}

export async function startCallbackEndpoint(options: CallbackEndpointOptions): Promise<CallbackEndpoint> {
  const stats: CallbackStats = { signalled: 0, rejected: 0, unauthorized: 0, unavailable: 0 };
  const app = buildCallbackApp(options, stats);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { url: `http://${host}:${port}`, stats, close: () => app.close() };
}

function methodNotAllowed(reply: FastifyReply, allow: string) {
  return reply.code(405).header('allow', allow).send({ error: FRAMEWORK_ANSWERS[405] });
}

/** `application/json`, with or without parameters (charset), in any letter case. */
function isJsonContentType(header: string | undefined): boolean {
  return header !== undefined && header.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** The route without its token: log lines must never carry a token. */
function routeOf(req: FastifyRequest): string {
  return req.routeOptions.url ?? 'unknown route';
}

/** The dialect's complaint without the values it quotes (a body may carry signed media URLs). */
function describeParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return clip(message.replace(/"(?:[^"\\]|\\.)*"/g, '"…"'), 300);
}

/** Shortened, and on one line: text from a body must not be able to forge log lines. */
function clip(text: string, max: number): string {
  const line = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** Logs the first line of each window and counts the rest, reported with the next line logged. */
function throttled(log: (line: string) => void, windowMs: number): (line: string) => void {
  let windowStart = -Infinity;
  let suppressed = 0;
  return (line) => {
    const now = Date.now();
    if (now - windowStart < windowMs) {
      suppressed++;
      return;
    }
    log(suppressed > 0 ? `${line} (and ${suppressed} more refusals in the previous ${windowMs / 1000} s)` : line);
    windowStart = now;
    suppressed = 0;
  };
}
