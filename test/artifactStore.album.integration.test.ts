// Albums stored in a bucket, with real processes: the dev server, the simulator, the callback
// endpoint, worker processes (`node --import tsx scripts/worker.ts`) and versitygw as the
// S3-compatible server. Two workers with separate scratch folders finish one album together; every
// file and album.json end up in the bucket with sha256s that match their content, and nothing is
// written to the output folder itself. A rerun reuses every step from the bucket and pays nothing.
// A worker killed (SIGKILL) in the middle of an upload leaves no broken object, and the album
// completes on the other worker.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAttentionOperator } from '../chaos/attentionOperator';
import { namePaidSubmits, paidMoreThanOnce } from '../chaos/paidSubmits';
import { startWorkerProcess, type WorkerProcess } from '../chaos/workerProcess';
import { startCallbackEndpoint, type CallbackEndpoint } from '../callbacks/callbackEndpoint';
import type { AlbumJson } from '../contracts/albumFiles';
import type { AlbumPipelineInput, AlbumPipelineResult } from '../contracts/albumPipeline';
import { MUSIC_SEARCH_ATTRIBUTES } from '../contracts/searchAttributes';
import type { TrackManifest } from '../contracts/trackManifest';
import { startDevServer, type DevServer } from '../runtime/devServer';
import { startSimulator, type RunningSimulator } from '../simulator';
import { SIMULATOR_API_KEY } from '../workers/workerDeps';
import { threeTrackFaultAlbum } from './helpers/faultAlbum';
import { startS3Server, type S3Server } from './helpers/s3Server';

const SECRET = 'store-test-secret-store-test-secret';
const TASK_QUEUE = 'store-tests';
const BUCKET = 'music';
const PREFIX = 'runs';

let scratch: string;
/** OUT_DIR of every worker: only a name here (the root keys are relative to), never written to. */
let outRoot: string;
let s3: S3Server;
let server: DevServer;
let connection: Connection;
let client: Client;
let simulator: RunningSimulator;
let endpoint: CallbackEndpoint;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'store-album-'));
  outRoot = path.join(scratch, 'out');
  s3 = await startS3Server();
  await s3.createBucket(BUCKET);
  server = await startDevServer({ port: 0, ui: false, dbFile: path.join(scratch, 'temporal.db'), searchAttributes: MUSIC_SEARCH_ATTRIBUTES });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  simulator = await startSimulator({ apiKey: SIMULATOR_API_KEY, stageDelaysMs: { text: 300, first: 600, complete: 900 }, clipSeconds: 4, stateDir: path.join(scratch, 'sim'), seed: 'store' });
  endpoint = await startCallbackEndpoint({ client, secret: SECRET, port: 0 });
}, 120_000);

afterAll(async () => {
  for (const w of workers) await w.kill();
  await endpoint?.close().catch(() => {});
  await simulator?.close();
  await connection?.close();
  await server?.stop();
  await s3?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A worker process with its own scratch folder (TMPDIR) and the bucket as its store. */
async function startWorker(name: string, s3Endpoint = s3.endpoint): Promise<{ worker: WorkerProcess; tmp: string }> {
  const tmp = path.join(scratch, `${name}-tmp`);
  await mkdir(tmp, { recursive: true });
  const worker = startWorkerProcess({
    temporalAddress: server.address,
    taskQueue: TASK_QUEUE,
    simulatorUrl: simulator.url,
    callbackPublicUrl: endpoint.url,
    callbackSecret: SECRET,
    env: { ...s3.env(BUCKET, PREFIX), AWS_ENDPOINT_URL_S3: s3Endpoint, OUT_DIR: outRoot, TMPDIR: tmp },
    // The workers' warnings and errors only (their bundling chatter would drown a failure).
    onStderrLine: (line) => {
      if (/\b(ERROR|WARN)\b/.test(line)) console.error(`[${name}] ${line}`);
    },
  });
  workers.push(worker);
  return { worker, tmp };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function getObject(key: string): Promise<{ body: Buffer; metaSha: string | undefined }> {
  const object = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return { body: Buffer.from(await object.Body!.transformToByteArray()), metaSha: object.Metadata?.sha256 };
}

/** Every object under the prefix, with a problem named for each whose content does not match its stored sha256. */
async function auditBucket(): Promise<{ keys: string[]; problems: string[] }> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}/`, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((c) => c.Key!));
    token = page.NextContinuationToken;
  } while (token);
  const problems: string[] = [];
  for (const key of keys) {
    const { body, metaSha } = await getObject(key);
    if (!metaSha) problems.push(`${key}: no sha256 in its metadata`);
    else if (sha(body) !== metaSha) problems.push(`${key}: content sha256 ${sha(body)} but metadata ${metaSha}`);
  }
  return { keys, problems };
}

const keyOf = (albumId: string, file: string) => `${PREFIX}/${albumId}/${file}`;

/** album.json from the bucket; every file it lists is there with that sha256, and every track.json's files too. */
async function checkAlbumInBucket(albumId: string, result: AlbumPipelineResult): Promise<AlbumJson> {
  const { body, metaSha } = await getObject(keyOf(albumId, 'album.json'));
  expect(sha(body)).toBe(metaSha);
  expect(result.files.find((f) => f.kind === 'album-manifest')?.sha256).toBe(sha(body));
  const album = JSON.parse(body.toString('utf8')) as AlbumJson;
  expect(album.tracks).toHaveLength(3);
  const listed = [...album.tracks.flatMap((t) => t.files), ...album.files];
  expect(listed.map((f) => f.kind)).toEqual(expect.arrayContaining(['audio', 'wav', 'lyrics', 'manifest', 'tagged-audio', 'playlist']));
  for (const f of listed) {
    const object = await getObject(keyOf(albumId, f.file));
    expect(sha(object.body), `${f.file} content`).toBe(f.sha256);
    expect(object.metaSha, `${f.file} metadata`).toBe(f.sha256);
    expect(object.body.length, `${f.file} size`).toBe(f.bytes);
  }
  for (const t of album.tracks) {
    const track = JSON.parse((await getObject(keyOf(albumId, `${t.dir}/track.json`))).body.toString('utf8')) as TrackManifest;
    for (const f of track.files) expect(sha((await getObject(keyOf(albumId, `${t.dir}/${f.file}`))).body), `${t.dir}/${f.file}`).toBe(f.sha256);
  }
  return album;
}

async function runAlbum(input: AlbumPipelineInput, workflowId: string): Promise<AlbumPipelineResult> {
  const handle = await client.workflow.start('albumPipeline', { taskQueue: TASK_QUEUE, workflowId, args: [input], workflowIdReusePolicy: 'ALLOW_DUPLICATE' });
  const operator = startAttentionOperator({ client, workflowIds: [workflowId, ...input.tracks.map((t) => `album-${input.albumId}-t0${t.number}`)], ledger: simulator.ledger, secret: SECRET });
  try {
    return (await handle.result()) as AlbumPipelineResult;
  } finally {
    await operator.stop();
  }
}

/** Files left in a worker's store scratch folders (TMPDIR/artifact-scratch-*; tsx keeps its own cache beside them). */
async function leftovers(dir: string): Promise<string[]> {
  const left: string[] = [];
  for (const folder of (await readdir(dir)).filter((d) => d.startsWith('artifact-scratch-'))) {
    const entries = await readdir(path.join(dir, folder), { recursive: true, withFileTypes: true });
    left.push(...entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)));
  }
  return left;
}

// Generous limits: on a loaded two-core machine one album (two workers bundling, ffmpeg mastering) took
// 240 s; the killed-upload case waits out the one-minute heartbeat timeout besides.
describe('an album in an S3 bucket, with worker processes', () => {
  it('two workers with separate scratch folders finish one album into the bucket; a rerun reuses it all and pays nothing', async () => {
    const albumId = 'two-workers';
    const input = { ...threeTrackFaultAlbum(albumId, 'Bucket Album', outRoot), loudness: { targetLufs: -16 } };
    const a = await startWorker('worker-a');
    const b = await startWorker('worker-b');
    try {
      const result = await runAlbum(input, `album-${albumId}`);
      expect(result.status).toBe('succeeded');
      const album = await checkAlbumInBucket(albumId, result);
      expect(album.tracks.flatMap((t) => t.files).filter((f) => f.kind === 'mastered-audio')).toHaveLength(3);
      // Both workers stored files: each made its store scratch folder, and left nothing in it.
      for (const w of [a, b]) {
        expect((await readdir(w.tmp)).some((d) => d.startsWith('artifact-scratch-')), `${w.tmp} was used`).toBe(true);
        expect(await leftovers(w.tmp)).toEqual([]);
      }
      // The output root is only a name: no worker wrote there.
      expect(existsSync(outRoot)).toBe(false);
      const audit = await auditBucket();
      expect(audit.problems).toEqual([]);
      expect(audit.keys.length).toBeGreaterThanOrEqual(3 * 5 + 3);

      // A rerun of the same album: every step is reused from the bucket, nothing is paid again.
      const paidBefore = namePaidSubmits(simulator.ledger, SECRET).length;
      const again = await runAlbum(input, `album-${albumId}`);
      expect(again.status).toBe('succeeded');
      expect(namePaidSubmits(simulator.ledger, SECRET).length).toBe(paidBefore);
      expect(again.creditsSpent).toBe(0);
      await checkAlbumInBucket(albumId, again);
      expect(paidMoreThanOnce(simulator.ledger, SECRET)).toEqual([]);
    } finally {
      await a.worker.kill();
      await b.worker.kill();
    }
  }, 600_000);

  it('a worker killed in the middle of an upload leaves no broken object, and the album completes', async () => {
    const albumId = 'killed-upload';
    const input = { ...threeTrackFaultAlbum(albumId, 'Killed Album', outRoot), concurrency: 1 };
    let killed: WorkerProcess | undefined;
    let cutKey: string | undefined;
    // Worker A reaches the bucket through this proxy. On the first song upload it forwards the
    // request head and part of the body, then kills A: the server has seen half an object.
    const proxy = await startCuttingProxy(s3.endpoint, (requestLine) => {
      const match = /^PUT (\S+\/song\.mp3)\S* HTTP/.exec(requestLine);
      if (!match || cutKey) return false;
      cutKey = decodeURIComponent(match[1]!).replace(`/${BUCKET}/`, '');
      return true;
    }, async () => {
      await killed?.kill();
    });
    try {
      const a = await startWorker('killed-a', proxy.url);
      killed = a.worker;
      const done = runAlbum(input, `album-${albumId}`);
      const exit = await a.worker.exited;
      expect(exit.signal).toBe('SIGKILL');
      expect(cutKey).toMatch(new RegExp(`^${PREFIX}/${albumId}/0\\d/song\\.mp3$`));
      // Nothing half-written became an object.
      const during = await auditBucket();
      expect(during.problems).toEqual([]);
      const b = await startWorker('survivor-b');
      try {
        const result = await done;
        expect(result.status).toBe('succeeded');
        await checkAlbumInBucket(albumId, result);
        const after = await auditBucket();
        expect(after.problems).toEqual([]);
        expect(after.keys).toContain(cutKey);
        expect(paidMoreThanOnce(simulator.ledger, SECRET)).toEqual([]);
      } finally {
        await b.worker.kill();
      }
    } finally {
      await killed?.kill();
      await proxy.close();
    }
  }, 600_000);
});

/**
 * A TCP proxy to `target` that watches each request line; when `cut(line)` says so, it forwards the
 * head and half of the bytes it holds, calls `onCut` (which kills the client process) and drops the
 * connection. Everything else passes through untouched.
 */
async function startCuttingProxy(target: string, cut: (requestLine: string) => boolean, onCut: () => Promise<void>): Promise<{ url: string; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const proxy: Server = createServer((downstream) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(downstream).add(upstream);
    upstream.on('data', (chunk) => downstream.write(chunk));
    // 'pass' until the request to cut; then 'head-sent' until part of its body went through; then 'cut'.
    let state: 'pass' | 'head-sent' | 'cut' = 'pass';
    const cutNow = (bytes: Buffer) => {
      state = 'cut';
      upstream.write(bytes);
      void onCut().finally(() => {
        upstream.destroy();
        downstream.destroy();
      });
    };
    downstream.on('data', (chunk: Buffer) => {
      if (state === 'cut') return;
      if (state === 'head-sent') return cutNow(chunk.subarray(0, Math.max(1, Math.floor(chunk.length / 2))));
      const text = chunk.toString('latin1');
      const line = /^(GET|PUT|POST|HEAD|DELETE) [^\r\n]*/.exec(text)?.[0];
      if (line && cut(line)) {
        const headEnd = text.indexOf('\r\n\r\n') + 4;
        const bodyBytes = chunk.length - headEnd;
        if (headEnd >= 4 && bodyBytes > 1) return cutNow(chunk.subarray(0, headEnd + Math.floor(bodyBytes / 2)));
        state = 'head-sent';
      }
      upstream.write(chunk);
    });
    const end = () => {
      upstream.destroy();
      downstream.destroy();
    };
    upstream.on('error', end).on('close', end);
    downstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
