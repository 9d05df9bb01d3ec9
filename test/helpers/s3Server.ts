// A real S3-compatible server for tests: versitygw (built by `npm run setup:s3`) with its posix
// backend in a temporary folder, on a free loopback port. Objects land as plain files under
// `<dataDir>/<bucket>/<key>`, with their metadata in extended attributes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { findVersitygw } from '../../runtime/versitygw';

export interface S3Server {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** The posix backend's root: one folder per bucket. */
  dataDir: string;
  /** A client with the root credentials, path-style, for checking what is in a bucket. */
  client: S3Client;
  createBucket(name: string): Promise<void>;
  /** The variables a worker needs to use `s3://<bucket>/<prefix>` on this server. */
  env(bucket: string, prefix?: string): Record<string, string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`versitygw exited with ${child.exitCode}: ${output()}`);
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`versitygw did not answer at ${endpoint} within 30 s: ${output()}`);
}

export async function startS3Server(): Promise<S3Server> {
  const binary = await findVersitygw();
  if (!binary) throw new Error('versitygw is not installed: run `npm run setup:s3` (or set VERSITYGW_PATH)');
  const dataDir = await mkdtemp(path.join(tmpdir(), 's3-data-'));
  const accessKeyId = 'test-root-access';
  const secretAccessKey = 'test-root-secret-not-a-real-one';
  const region = 'us-east-1';
  // A port that is free now may be taken before versitygw binds it; one retry covers that race.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child = spawn(binary, ['--access', accessKeyId, '--secret', secretAccessKey, '--region', region, '--port', `127.0.0.1:${port}`, '--quiet', 'posix', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000));
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    try {
      await waitUntilAnswering(endpoint, child, () => output);
    } catch (err) {
      child.kill('SIGKILL');
      if (attempt < 2) continue;
      await rm(dataDir, { recursive: true, force: true });
      throw err;
    }
    const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      endpoint,
      accessKeyId,
      secretAccessKey,
      region,
      dataDir,
      client,
      createBucket: async (name) => {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      },
      env: (bucket, prefix = '') => ({
        ARTIFACT_STORE: `s3://${bucket}${prefix ? `/${prefix}` : ''}`,
        AWS_ENDPOINT_URL_S3: endpoint,
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
        AWS_REGION: region,
      }),
      stop: async () => {
        client.destroy();
        if (child.exitCode === null) child.kill('SIGTERM');
        await exited;
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
}
