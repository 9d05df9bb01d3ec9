// Bad input at the metrics endpoint: seeded raw requests over loopback (methods, paths, query
// strings, odd and huge headers, bodies, malformed request lines, and slowloris-style requests that
// stop half-way) against a metrics server with a live registry that keeps changing, merged with a
// stand-in for the Temporal SDK's exporter that sometimes fails. Only GET /metrics is answered with
// the exposition text (and it parses); everything else is a 4xx; never a 5xx, never a crash, and the
// endpoint still answers afterwards. Set FUZZ_SEED to replay a run.
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer, type MetricsServer } from '../metrics/metricsServer';
import { MusicMetrics } from '../metrics/musicMetrics';
import { fuzzRandom } from './helpers/fuzzRandom';

const CASES = 600;
const CONCURRENCY = 8;
const CASE_TIMEOUT_MS = 10_000;
const random = fuzzRandom(Date.now() % 2 ** 31);

let metrics: MusicMetrics;
let server: MetricsServer;
let sdkExporter: Server;
let host: string;
let port: number;

beforeAll(async () => {
  console.log(`metrics endpoint fuzz seed ${random.seed} (FUZZ_SEED=${random.seed} replays it)`);
  // The SDK exporter's stand-in: valid text mostly, sometimes a 500 or a reset connection.
  let sdkCalls = 0;
  sdkExporter = createServer((req, res) => {
    sdkCalls++;
    if (sdkCalls % 7 === 0) return req.socket.destroy();
    if (sdkCalls % 5 === 0) return void res.writeHead(500).end('exporter down');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('# HELP temporal_request Requests.\n# TYPE temporal_request counter\ntemporal_request{namespace="default"} 3\n');
  });
  await new Promise<void>((resolve) => sdkExporter.listen(0, '127.0.0.1', resolve));
  const sdkPort = (sdkExporter.address() as AddressInfo).port;
  metrics = new MusicMetrics();
  server = await startMetricsServer({ registry: metrics.registry, port: 0, host: '127.0.0.1', sdkMetricsUrl: `http://127.0.0.1:${sdkPort}/metrics` });
  const url = new URL(server.url);
  host = url.hostname;
  port = Number(url.port);
});

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => (sdkExporter ? sdkExporter.close(() => resolve()) : resolve()));
});

/** Each non-comment line of the exposition text is `name{labels} value [timestamp]` (Prometheus reads NaN and Inf in any case; prom-client writes `Nan`). */
const SAMPLE_LINE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*\})? (?:[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|\.\d+)|[-+]?(?:nan|inf))(?: -?\d+)?$/i;

function expositionProblems(text: string): string[] {
  const problems: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    if (!SAMPLE_LINE.test(line)) problems.push(line);
  }
  return problems;
}

const METHODS = ['GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'PROPFIND', 'get', 'G\u00e9T', 'BREW', ''];
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'PROPFIND']);
const PATHS = ['/metrics', '/metrics', '/metrics', '/metrics', '/metrics', '/metrics/', '/Metrics', '//metrics', '/metrics/../metrics', '/', '', '*', '/metrics%00', '/%2e%2e/metrics', '/metrics#x', 'http://evil.example/metrics', '/' + 'a'.repeat(9000), '/metrics\u0000', '/\u00e9', '/favicon.ico'];
const QUERIES = ['', '', '?', '?name[]=x', '?a=1&a=2', '?%ff%fe', '?' + 'q'.repeat(3000), '?name=music_paid_submits_total'];
const WEIRD_KINDS = ['mp3', 'wav', 'a"quote', 'back\\slash', 'new\nline', '💥', '', ' '];

interface Sent {
  label: string;
  /** The request is well-formed HTTP/1.1 (so its status says what the server decided). */
  wellFormed: boolean;
  /** A complete, well-formed GET for /metrics (with or without a query string). */
  isScrape: boolean;
  /** Stops half-way (slowloris): no answer is expected before we hang up. */
  partial: boolean;
  /** How long a partial request is left hanging before we hang up. */
  hangMs: number;
  /** A body the server need not read: it may answer and reset the connection (unread bytes) before we read the answer. */
  mayBeReset: boolean;
  chunks: Buffer[];
}

function makeCase(): Sent {
  // A third are meant as scrapes (then spoiled, or not, by what follows).
  const scrape = random.chance(0.3);
  const method = scrape ? 'GET' : random.pick(METHODS);
  const target = (scrape ? '/metrics' : random.pick(PATHS)) + random.pick(QUERIES);
  const headers: string[] = [`Host: ${host}:${port}`, 'Connection: close'];
  // Node's parser answers 400 to methods it does not know (BREW, lower case): those count as malformed.
  let wellFormed = KNOWN_METHODS.has(method) && /^\/[\x21-\x7e]*$/.test(target) && target.length < 8000 && method !== 'CONNECT';
  const extraHeaders = random.int(4);
  for (let i = 0; i < extraHeaders; i++) {
    const roll = random.int(10);
    if (roll === 0) headers.push(`X-Big: ${'b'.repeat(random.pick([100, 20_000, 70_000]))}`);
    else if (roll === 1) headers.push(`Accept: ${random.pick(['*/*', 'text/plain', 'application/openmetrics-text; version=1.0.0', 'x'])}`);
    else if (roll === 2) {
      // Bytes past ASCII are allowed in a header value (obs-text); control characters are not.
      const value = random.bytes(12).toString('latin1');
      headers.push(`X-Odd: ${value.replace(/[\r\n]/g, '')}`);
      if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value.replace(/[\r\n]/g, ''))) wellFormed = false;
    } else if (roll === 3) {
      headers.push('Content-Length: 5', 'Content-Length: 6');
      wellFormed = false;
    } else if (roll === 4) headers.push(`Cookie: ${'c=1; '.repeat(random.int(50))}`);
    else if (roll === 5) headers.push('Expect: 100-continue');
    else headers.push(`User-Agent: fuzz/${roll}`);
  }
  if (headers.some((h) => h.length > 15_000)) wellFormed = false; // over Node's header limit: 431
  let body: Buffer = Buffer.alloc(0);
  if (random.chance(0.3)) {
    body = random.bytes(random.pick([1, 100, 5000, 200_000]));
    headers.push(`Content-Length: ${body.length}`);
  }
  const head = Buffer.from(`${method} ${target} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1');
  let whole: Buffer = Buffer.concat([head, body]);
  const roll = random.next();
  if (roll < 0.05) {
    whole = random.bytes(1 + random.int(500));
    wellFormed = false;
  } else if (roll < 0.1) {
    whole = Buffer.from(`GET /metrics HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n`);
    wellFormed = false;
  }
  const partial = random.chance(0.06);
  if (partial) whole = whole.subarray(0, 1 + random.int(Math.max(1, Math.min(whole.length - 1, head.length - 2))));
  // Sometimes dribble the request in small pieces.
  const chunks: Buffer[] = [];
  if (random.chance(0.2)) {
    for (let i = 0, step = 0; i < whole.length; i += step) {
      step = 1 + random.int(40);
      chunks.push(whole.subarray(i, i + step));
    }
  }
  else chunks.push(whole);
  const isScrape = wellFormed && !partial && method === 'GET' && target.split('?')[0] === '/metrics';
  return { label: `${JSON.stringify(method)} ${JSON.stringify(target.slice(0, 80))} (${whole.length} bytes${partial ? ', partial' : ''}; headers ${JSON.stringify(headers.map((h) => h.slice(0, 50)))})`, wellFormed, isScrape, partial, hangMs: 300 + random.int(1500), mayBeReset: body.length > 0, chunks };
}

interface Answer {
  status?: number;
  body: string;
}

/** Sends the bytes over a raw socket and reads until the server closes (or, for a partial request, until we give up waiting). */
function send(sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    const received: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      // Interim answers (100 Continue to an Expect header) come before the real one.
      const text = Buffer.concat(received).toString('latin1').replace(/^(?:HTTP\/1\.[01] 1\d\d[^\r]*\r\n(?:[^\r]+\r\n)*\r\n)+/, '');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: status ? Number(status) : undefined, body: split >= 0 ? text.slice(split + 4) : '' });
    };
    // A slowloris request is left hanging a little, then abandoned: the server must not care.
    const timer = setTimeout(
      () => (sent.partial ? (socket.destroy(), finish()) : (socket.destroy(), reject(new Error(`${sent.label}: no answer within ${CASE_TIMEOUT_MS} ms`)))),
      sent.partial ? sent.hangMs : CASE_TIMEOUT_MS,
    );
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => {
      // The server may reset a connection it refused (e.g. after a 400 while we still write): fine.
    });
    socket.on('close', finish);
    socket.on('connect', async () => {
      for (const chunk of sent.chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (sent.chunks.length > 1) await new Promise((r) => setTimeout(r, 1));
      }
    });
  });
}

/** Strips chunked transfer encoding, if the answer used it. */
function dechunk(body: string): string {
  if (!/^[0-9a-f]+\r\n/i.test(body)) return body;
  let out = '';
  let rest = body;
  for (;;) {
    const line = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, line), 16);
    if (!size) return out;
    out += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
}

describe('the metrics endpoint under fuzzed requests', () => {
  it('answers only GET /metrics with parseable exposition text, a 4xx for the rest, never a 5xx, and keeps answering', async () => {
    const tally = new Map<string, number>();
    // Made up front, so that the cases do not depend on the order the concurrent requests finish in.
    const cases = Array.from({ length: CASES }, makeCase);
    let next = 0;
    const worker = async () => {
      while (next < CASES) {
        const index = next++;
        // The registry keeps changing while it is scraped, with label values that need escaping.
        metrics.bytesStored(WEIRD_KINDS[index % WEIRD_KINDS.length]!, index);
        metrics.webhookReceived('unknown');
        metrics.stepStarted('acedata', 'song');
        const sent = cases[index]!;
        const answer = await send(sent);
        const where = `case ${index} (seed ${random.seed}): ${sent.label}`;
        tally.set(String(answer.status ?? (sent.partial ? 'abandoned' : 'closed')), (tally.get(String(answer.status ?? (sent.partial ? 'abandoned' : 'closed'))) ?? 0) + 1);
        if (answer.status !== undefined) expect(answer.status, where).toBeLessThan(500);
        if (sent.partial || (sent.mayBeReset && answer.status === undefined)) continue;
        if (sent.isScrape) {
          expect(answer.status, where).toBe(200);
          const text = dechunk(answer.body);
          expect(text, where).toMatch(/^music_sdk_metrics_up [01]$/m);
          expect(expositionProblems(text), where).toEqual([]);
        } else {
          // Not a scrape: never the metrics. Malformed requests may be dropped without an answer.
          expect(answer.status, where).not.toBe(200);
          if (sent.wellFormed) expect([404, 405], where).toContain(answer.status);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    console.log(`metrics endpoint fuzz: ${[...tally].map(([k, v]) => `${k}×${v}`).join(', ')}`);
    // The fuzzing reached both sides, or it tested nothing.
    expect(tally.get('200') ?? 0).toBeGreaterThan(30);
    expect(tally.get('404') ?? 0).toBeGreaterThan(30);
    // Still answering afterwards.
    const after = await fetch(server.url);
    expect(after.status).toBe(200);
    expect(expositionProblems(await after.text())).toEqual([]);
  }, 90_000);
});
