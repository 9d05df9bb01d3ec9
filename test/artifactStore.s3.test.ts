// The artifact store against a real S3-compatible server (versitygw, posix backend): what goes in
// comes back byte for byte with its sha256 in the object's metadata, a changed object is refused on
// every read path, presigned URLs serve the file to anyone holding them (and only until they
// expire), and paths map to keys under the prefix and never outside the output root.
import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactCorruptError, ArtifactMissingError, ArtifactOutsideStoreError } from '../artifacts/store/artifactStore';
import { S3ArtifactStore } from '../artifacts/store/s3Store';
import { artifactStoreFromConfig } from '../artifacts/store/storeFromConfig';
import { loadConfig } from '../runtime/config';
import { startS3Server, type S3Server } from './helpers/s3Server';

const BUCKET = 'artifacts';
const OUT_ROOT = '/srv/music/out';

let s3: S3Server;
let scratch: string;
let store: S3ArtifactStore;

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket(BUCKET);
  scratch = await mkdtemp(path.join(tmpdir(), 'store-test-'));
  // Built from configuration, as a worker builds it: the same variables a user sets.
  const config = loadConfig({ ...s3.env(BUCKET, 'team/a'), OUT_DIR: OUT_ROOT });
  store = artifactStoreFromConfig(config.artifactStore, config.outDir) as S3ArtifactStore;
}, 60_000);

afterAll(async () => {
  await s3?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A scratch file of `size` pseudo-random bytes, committed to `target`. */
async function putRandom(target: string, size: number): Promise<Buffer> {
  const content = Buffer.alloc(size);
  for (let i = 0; i < size; i++) content[i] = (i * 2654435761) >>> 24;
  const temp = await store.scratchFor(target);
  await writeFile(temp, content);
  const digest = await store.commit(temp, target, undefined, 'audio/mpeg');
  expect(digest).toEqual({ sha256: sha(content), bytes: size });
  return content;
}

describe('S3 artifact store on versitygw', () => {
  it('reads ARTIFACT_STORE and the standard AWS variables, refusing a malformed store', () => {
    const config = loadConfig({ ARTIFACT_STORE: 's3://my-bucket/some/prefix/', AWS_ENDPOINT_URL: 'http://127.0.0.1:9000/', AWS_REGION: 'eu-west-3' });
    expect(config.artifactStore).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: 'some/prefix', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-3' });
    expect(loadConfig({ ARTIFACT_STORE: 's3://my-bucket', AWS_ACCESS_KEY_ID: 'id', AWS_SECRET_ACCESS_KEY: 'key' }).artifactStore).toMatchObject({ credentials: { accessKeyId: 'id', secretAccessKey: 'key' } });
    expect(loadConfig({}).artifactStore).toEqual({ kind: 'local' });
    expect(loadConfig({ ARTIFACT_STORE: 's3://b1b', AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://s3:2' }).artifactStore).toMatchObject({ prefix: '', endpoint: 'http://s3:2', region: 'us-east-1' });
    expect(() => loadConfig({ ARTIFACT_STORE: 'gs://bucket' })).toThrow(/ARTIFACT_STORE/);
    expect(() => loadConfig({ ARTIFACT_STORE: 's3://Bad_Bucket' })).toThrow(/ARTIFACT_STORE/);
    expect(() => loadConfig({ ARTIFACT_STORE: 's3://ok-bucket', AWS_ENDPOINT_URL: 'not a url' })).toThrow(/AWS_ENDPOINT_URL/);
  });

  it('stores a file under its key with its sha256 in the metadata, and reads it back checked', async () => {
    const target = `${OUT_ROOT}/album-1/01/song.mp3`;
    // Past lib-storage's 5 MB part size: a multipart upload, completed as one object.
    const content = await putRandom(target, 6 * 1024 * 1024 + 123);
    expect(store.keyFor(target)).toBe('team/a/album-1/01/song.mp3');
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'team/a/album-1/01/song.mp3' }));
    expect(head.Metadata?.sha256).toBe(sha(content));
    expect(head.ContentLength).toBe(content.length);
    expect(head.ContentType).toBe('audio/mpeg');
    // The backend holds the very bytes.
    expect(sha(await readFile(path.join(s3.dataDir, BUCKET, 'team/a/album-1/01/song.mp3')))).toBe(sha(content));

    expect((await store.readBytes(target)).equals(content)).toBe(true);
    expect(await store.digestOf(target)).toEqual({ sha256: sha(content), bytes: content.length });
    const copied = await store.withLocalCopy(target, async (file) => {
      expect(file.startsWith(tmpdir())).toBe(true);
      return readFile(file);
    });
    expect(copied.equals(content)).toBe(true);

    const text = await store.writeBytes(`${OUT_ROOT}/album-1/01/track.json`, Buffer.from('{"version":1}\n'));
    expect((await store.readBytes(`${OUT_ROOT}/album-1/01/track.json`, text.sha256)).toString()).toBe('{"version":1}\n');
    // A relative path is relative to the output root.
    expect((await store.readBytes('album-1/01/track.json')).toString()).toBe('{"version":1}\n');
  }, 60_000);

  it('detects an object whose content no longer matches its sha256, on every read path', async () => {
    const target = `${OUT_ROOT}/album-2/song.mp3`;
    const content = await putRandom(target, 64 * 1024);
    const key = store.keyFor(target);

    // Bit rot on the server's disk: one byte flipped in place (the metadata stays).
    const handle = await open(path.join(s3.dataDir, BUCKET, key), 'r+');
    await handle.write(Buffer.from([content[100]! ^ 0xff]), 0, 1, 100);
    await handle.close();
    await expect(store.readBytes(target)).rejects.toThrow(ArtifactCorruptError);
    await expect(store.withLocalCopy(target, async () => 'used')).rejects.toThrow(/is corrupt: its content has sha256/);
    expect(await store.digestOf(target)).toBeUndefined();

    // Replaced by someone else with other bytes under the old sha256.
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from('not the song'), Metadata: { sha256: sha(content) } }));
    await expect(store.readBytes(target)).rejects.toThrow(ArtifactCorruptError);
    // A reader that knows what it expects refuses a different file even when the object agrees with itself.
    await store.writeBytes(target, Buffer.from('other'));
    await expect(store.readBytes(target, sha(content))).rejects.toThrow(ArtifactCorruptError);
    await expect(store.readBytes(target, sha(Buffer.from('other')))).resolves.toEqual(Buffer.from('other'));
  }, 60_000);

  it('tells at start when the bucket cannot be used', async () => {
    await expect(store.checkAccess()).resolves.toBeUndefined();
    const missing = artifactStoreFromConfig(loadConfig({ ...s3.env('no-such-bucket'), OUT_DIR: OUT_ROOT }).artifactStore, OUT_ROOT);
    await expect(missing.checkAccess()).rejects.toThrow(/ARTIFACT_STORE=s3:\/\/no-such-bucket at http:\/\/127\.0\.0\.1:\d+ cannot be used: bucket no-such-bucket does not exist/);
    const refused = artifactStoreFromConfig(loadConfig({ ...s3.env(BUCKET), AWS_SECRET_ACCESS_KEY: 'wrong-secret', OUT_DIR: OUT_ROOT }).artifactStore, OUT_ROOT);
    await expect(refused.checkAccess()).rejects.toThrow(/cannot be used: access denied/);
  });

  it('removes an object, and takes the removal of a missing one as done (a stale cover of another type)', async () => {
    const target = `${OUT_ROOT}/album-3/cover.png`;
    await store.writeBytes(target, Buffer.from('old cover'), 'image/png');
    await store.remove(target);
    await expect(store.readBytes(target)).rejects.toThrow(ArtifactMissingError);
    await store.remove(target);
  });

  it('says what is missing, and refuses paths outside the output root', async () => {
    await expect(store.readBytes(`${OUT_ROOT}/nothing/here.mp3`)).rejects.toThrow(ArtifactMissingError);
    expect(await store.digestOf(`${OUT_ROOT}/nothing/here.mp3`)).toBeUndefined();
    expect(() => store.keyFor('/etc/passwd')).toThrow(ArtifactOutsideStoreError);
    expect(() => store.keyFor(`${OUT_ROOT}/../escape.mp3`)).toThrow(/outside the output root/);
    expect(() => store.keyFor(OUT_ROOT)).toThrow(ArtifactOutsideStoreError);
  });

  it('hands out presigned GET URLs that serve the file over plain HTTP until they expire', async () => {
    const target = `${OUT_ROOT}/.uploads/user-audio.mp3`;
    const content = await putRandom(target, 200_000);
    const url = await store.presignedGet(target, 60_000);
    expect(url).toContain('X-Amz-Signature=');
    expect(url).not.toContain(s3.secretAccessKey);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(sha(Buffer.from(await response.arrayBuffer()))).toBe(sha(content));

    // A tampered URL is refused; an expired one too.
    expect((await fetch(url.replace('user-audio', 'user-audix'))).status).toBe(403);
    const short = await store.presignedGet(target, 1_000);
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await fetch(short)).status).toBe(403);
  }, 60_000);
});
