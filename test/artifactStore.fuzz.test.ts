// Bad answers from the object store: a raw loopback server posing as the S3 endpoint answers the
// real SDK client (through S3ArtifactStore) with seeded faults: error statuses with good, bad or no
// XML, truncated bodies, a wrong Content-Length, a missing or wrong x-amz-meta-sha256, a flipped
// byte, garbage instead of HTTP, reset connections, and answers that never come. This is fault
// injection, not a model of S3: test/artifactStore.s3.test.ts against versitygw proves the store
// correct. Asserted on every operation: content is only ever handed out verified (it is exactly what
// was stored), every failure is an Error naming the object's key, nothing hangs, no unhandled
// rejection. FUZZ_SEED replays a run.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ArtifactStore } from '../artifacts/store/s3Store';
import { fuzzRandom, within } from './helpers/fuzzRandom';

const OPERATIONS = 140;
const OPERATION_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 400;
const BUCKET = 'fuzz-bucket';
const random = fuzzRandom(Date.now() % 2 ** 31);

type Fault = 'good' | 'status' | 'reset' | 'reset-mid-body' | 'short-length' | 'long-length' | 'no-sha' | 'no-sha-flipped-byte' | 'wrong-sha' | 'flipped-byte' | 'never-answers' | 'stalls-mid-body' | 'garbage';
const FAULTS: Fault[] = ['good', 'good', 'good', 'good', 'good', 'status', 'status', 'reset', 'reset-mid-body', 'short-length', 'long-length', 'no-sha', 'no-sha-flipped-byte', 'wrong-sha', 'flipped-byte', 'never-answers', 'stalls-mid-body', 'garbage'];
const STATUSES = [301, 307, 400, 403, 404, 409, 412, 416, 500, 501, 503];
const ERROR_BODIES = [
  (status: number) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${status === 503 ? 'SlowDown' : 'InternalError'}</Code><Message>fuzz says no</Message></Error>`,
  () => '<Error><Code>Unclosed',
  () => '',
  () => random.bytes(1 + random.int(300)).toString('latin1'),
  () => '{"not":"xml"}',
];

interface Stored {
  body: Buffer;
  sha256: string;
}
/** The truth: what the test put in the bucket. */
const objects = new Map<string, Stored>();
/** PUT bodies the server received, by key, with the sha256 header they carried. */
const received = new Map<string, { body: Buffer; sha256?: string }[]>();
const hanging = new Set<Socket>();
/** The fault of the last answer (operations run one at a time). */
let lastFault: Fault = 'good';
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let server: Server;
let scratch: string;
let store: S3ArtifactStore;

const sha = (body: Buffer) => createHash('sha256').update(body).digest('hex');

function answer(socket: Socket, status: number, headers: Record<string, string | number>, body: Buffer | string = ''): void {
  const head = [`HTTP/1.1 ${status} Fuzz`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  socket.end(Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1')]));
}

/** Answers one request with the next fault from the seeded stream. */
function respond(socket: Socket, method: string, key: string, headers: Map<string, string>, body: Buffer): void {
  const fault = random.pick(FAULTS);
  lastFault = fault;
  if (process.env.FUZZ_DEBUG) console.log(`${method} ${key}: ${fault}`);
  const stored = objects.get(key);
  if (method === 'PUT') {
    const list = received.get(key) ?? [];
    list.push({ body, sha256: headers.get('x-amz-meta-sha256') });
    received.set(key, list);
  }
  switch (fault) {
    case 'status': {
      const status = random.pick(STATUSES);
      const text = random.pick(ERROR_BODIES)(status);
      return answer(socket, status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(text, 'latin1'), ...(status === 301 || status === 307 ? { Location: 'http://127.0.0.1:1/elsewhere' } : {}) }, text);
    }
    case 'reset':
      return void socket.destroy();
    case 'never-answers':
      hanging.add(socket);
      return;
    case 'garbage':
      socket.end(random.bytes(1 + random.int(200)));
      return;
  }
  if (method === 'PUT') {
    // A write: answered well, or stalled / cut as above. What was received is checked by the test.
    if (fault === 'stalls-mid-body' || fault === 'reset-mid-body') return void socket.destroy();
    return answer(socket, 200, { ETag: `"${sha(body).slice(0, 32)}"`, 'Content-Length': 0 });
  }
  if (method !== 'GET' && method !== 'HEAD') return answer(socket, 405, { 'Content-Length': 0 });
  if (!stored) {
    const text = '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>none</Message></Error>';
    return answer(socket, 404, { 'Content-Type': 'application/xml', 'Content-Length': text.length }, text);
  }
  let content = stored.body;
  const meta: Record<string, string> = { 'x-amz-meta-sha256': stored.sha256 };
  let length = content.length;
  if (fault === 'no-sha' || fault === 'no-sha-flipped-byte') delete meta['x-amz-meta-sha256'];
  if (fault === 'wrong-sha') meta['x-amz-meta-sha256'] = sha(Buffer.from('something else'));
  if (fault === 'flipped-byte' || fault === 'no-sha-flipped-byte') {
    content = Buffer.from(content);
    const at = random.int(content.length);
    content[at] = content[at]! ^ (1 + random.int(255));
  }
  if (fault === 'short-length') length = Math.max(0, content.length - 1 - random.int(content.length));
  if (fault === 'long-length') length = content.length + 1 + random.int(1000);
  const head = { 'Content-Type': 'audio/mpeg', 'Content-Length': length, ETag: `"${stored.sha256.slice(0, 32)}"`, 'Last-Modified': new Date(0).toUTCString(), ...meta };
  if (fault === 'reset-mid-body' || fault === 'stalls-mid-body') {
    const lines = [`HTTP/1.1 200 OK`, 'Connection: close', ...Object.entries(head).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
    socket.write(Buffer.concat([Buffer.from(`${lines}\r\n\r\n`), content.subarray(0, random.int(content.length))]));
    if (fault === 'reset-mid-body') socket.destroy();
    else hanging.add(socket);
    return;
  }
  answer(socket, 200, head, method === 'HEAD' ? '' : content);
}

/** A minimal HTTP/1.1 request reader: the head, then Content-Length bytes of body. */
function handle(socket: Socket): void {
  let buffered = Buffer.alloc(0);
  socket.on('error', () => {});
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n\r\n');
    if (end < 0) return;
    const [requestLine, ...lines] = buffered.subarray(0, end).toString('latin1').split('\r\n');
    const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const));
    const length = Number(headers.get('content-length') ?? 0);
    if (headers.get('expect')?.toLowerCase() === '100-continue' && buffered.length === end + 4) socket.write('HTTP/1.1 100 Continue\r\n\r\n');
    if (buffered.length < end + 4 + length) return;
    socket.off('data', onData);
    const [method, target] = requestLine!.split(' ');
    const url = new URL(target!, 'http://fuzz');
    const key = decodeURIComponent(url.pathname.replace(`/${BUCKET}/`, ''));
    respond(socket, method!, key, headers, buffered.subarray(end + 4, end + 4 + length));
  };
  socket.on('data', onData);
}

beforeAll(async () => {
  console.log(`object store fuzz seed ${random.seed} (FUZZ_SEED=${random.seed} replays it)`);
  process.on('unhandledRejection', onUnhandled);
  scratch = await mkdtemp(path.join(tmpdir(), 'store-fuzz-'));
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  store = new S3ArtifactStore({
    bucket: BUCKET,
    prefix: 'runs',
    outRoot: path.join(scratch, 'out'),
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'fuzz', secretAccessKey: 'fuzz-secret' },
    scratchDir: scratch,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  for (let i = 0; i < 6; i++) {
    const body = random.bytes(random.pick([1, 100, 4000, 60_000]));
    objects.set(`runs/songs/track-${i}.mp3`, { body, sha256: sha(body) });
  }
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  for (const socket of hanging) socket.destroy();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

type Operation = 'readBytes' | 'readBytes-expecting' | 'withLocalCopy' | 'digestOf' | 'writeBytes' | 'commit';
const OPERATION_KINDS: Operation[] = ['readBytes', 'readBytes-expecting', 'withLocalCopy', 'digestOf', 'writeBytes', 'commit'];

describe('the S3 store against an endpoint that answers garbage', () => {
  it('hands out only verified content, fails with errors naming the key, and never hangs', async () => {
    const outcomes = new Map<string, number>();
    const count = (what: string) => outcomes.set(what, (outcomes.get(what) ?? 0) + 1);
    for (let i = 0; i < OPERATIONS; i++) {
      const operation = random.pick(OPERATION_KINDS);
      const index = random.int(7); // track-6 does not exist
      const relative = `songs/track-${index}.mp3`;
      const key = `runs/${relative}`;
      const target = path.join(scratch, 'out', relative);
      const truth = objects.get(key);
      const where = `operation ${i} (seed ${random.seed}): ${operation} ${key}`;
      const content = random.bytes(1 + random.int(5000));
      const temp = path.join(scratch, `temp-${i}.mp3`);
      if (operation === 'commit') await writeFile(temp, content);
      const run = async (): Promise<string> => {
        switch (operation) {
          case 'readBytes':
          case 'readBytes-expecting': {
            const got = await store.readBytes(target, operation === 'readBytes-expecting' ? truth?.sha256 ?? sha(Buffer.from('x')) : undefined);
            expect(truth, where).toBeDefined();
            expect(sha(got), where).toBe(truth!.sha256);
            return 'read';
          }
          case 'withLocalCopy': {
            const got = await store.withLocalCopy(target, (file) => readFile(file));
            expect(truth, where).toBeDefined();
            expect(sha(got), where).toBe(truth!.sha256);
            return 'read';
          }
          case 'digestOf': {
            const digest = await store.digestOf(target);
            // digestOf reports what is really stored, for the caller to compare with its record (it
            // hands out no content): the truth, or, for an object carrying no sha256 to check the
            // transfer against, whatever came.
            if (digest && lastFault !== 'no-sha-flipped-byte') expect(digest, where).toEqual({ sha256: truth!.sha256, bytes: truth!.body.length });
            return digest ? 'digest' : 'no digest';
          }
          case 'writeBytes':
          case 'commit': {
            const digest = operation === 'writeBytes' ? await store.writeBytes(target, content, 'audio/mpeg') : await store.commit(temp, target, undefined, 'audio/mpeg');
            expect(digest, where).toEqual({ sha256: sha(content), bytes: content.length });
            // What reached the server was the content, labelled with its own sha256.
            expect(received.get(key)?.some((r) => r.body.equals(content) && r.sha256 === sha(content)), where).toBe(true);
            return 'written';
          }
        }
      };
      try {
        count(await within(OPERATION_TIMEOUT_MS, where, run()));
      } catch (err) {
        if ((err as Error).name === 'AssertionError' || (err as Error).message.includes('no answer within')) throw err;
        count(`failed: ${(err as Error).name}`);
        expect(err, where).toBeInstanceOf(Error);
        // Our errors name the target (its path ends with the key's relative part) or the key itself.
        expect((err as Error).message, `${where}: ${(err as Error).message}`).toContain(relative);
      }
      if (operation === 'commit') expect(existsSync(temp), `${where}: the scratch file is removed`).toBe(false);
    }
    console.log(`object store fuzz: ${[...outcomes].map(([k, v]) => `${k}×${v}`).join(', ')}`);
    // Give stray rejections a moment to surface.
    await new Promise((r) => setTimeout(r, 200));
    expect(unhandled).toEqual([]);
    // Both outcomes happen, or the fuzzing tests nothing.
    expect(outcomes.get('read') ?? 0).toBeGreaterThan(5);
    expect(outcomes.get('written') ?? 0).toBeGreaterThan(5);
    expect([...outcomes.keys()].filter((k) => k.startsWith('failed')).length).toBeGreaterThan(0);
  }, 180_000);
});
