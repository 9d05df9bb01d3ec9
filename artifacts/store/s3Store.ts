// The S3 store: files as objects in one bucket under a prefix, on AWS or any S3-compatible server,
// through the AWS SDK v3. Each object carries the sha256 of its content in its metadata
// (x-amz-meta-sha256), and every read hashes what comes back and compares: a changed or truncated
// object is reported, never used. Uploads go through lib-storage (multipart past a few MB, aborted
// on failure), so an object appears whole or not at all; a worker killed mid-upload leaves no object.
// See artifactStore.ts for how workflow paths become keys.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { heartbeat } from '@temporalio/activity';
import { ArtifactCorruptError, ArtifactMissingError, ArtifactOutsideStoreError, type ArtifactStore, type StoredDigest } from './artifactStore';

/** Object metadata key holding the content's sha256 (sent as x-amz-meta-sha256). */
export const SHA256_METADATA = 'sha256';

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix without leading or trailing slash; '' for the bucket's root. */
  prefix: string;
  /** The folder workflow paths are relative to (OUT_DIR, resolved). */
  outRoot: string;
  /** Custom endpoint (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL); addressed path-style. Default: AWS. */
  endpoint?: string;
  region: string;
  /** Explicit credentials; default: the SDK's chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Where scratch copies go; default a fresh folder under the OS temp folder (TMPDIR). */
  scratchDir?: string;
  /**
   * How long a request may go without a byte moving before it is given up (and retried by the SDK);
   * default 60 s. It is idle time, not total time, so large files are not cut short; without it an
   * endpoint that accepts a connection and never answers would hold an activity until its timeout.
   */
  requestTimeoutMs?: number;
}

/** Default idle limit per request (see S3StoreOptions.requestTimeoutMs). */
export const S3_REQUEST_TIMEOUT_MS = 60_000;

/**
 * A read or write that failed on the way (an error status, a reset connection, a truncated answer, a
 * timeout), with the object's key in its message. `$metadata` is kept from the SDK's error, or set,
 * so callers that tell "the bucket did not answer" (retry) from "the file is bad" still can.
 */
export class ArtifactStoreRequestError extends Error {
  override readonly name = 'ArtifactStoreRequestError';
  readonly $metadata: { httpStatusCode?: number };
  constructor(operation: 'reading' | 'writing' | 'removing', key: string, location: string, cause: unknown) {
    const e = cause as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e?.$metadata?.httpStatusCode;
    super(`${operation} ${key} in ${location} failed: ${e?.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${e?.message ?? String(cause)}`, { cause });
    this.$metadata = e?.$metadata ?? {};
  }
}

/** Errors of our own already say which file; anything else is wrapped to name the key. */
function ours(err: unknown): boolean {
  return err instanceof ArtifactMissingError || err instanceof ArtifactCorruptError || err instanceof ArtifactOutsideStoreError || err instanceof ArtifactStoreRequestError;
}

/** Proof of life while bytes move, when running inside an activity; a no-op elsewhere (tests, scripts). */
function beat(): void {
  try {
    heartbeat();
  } catch {
    // Not in an activity context.
  }
}

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

/** Hashes (and counts) bytes passing through, with a heartbeat per chunk. */
function hashingStream(): { stream: Transform; digest: () => StoredDigest } {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      beat();
      done(null, chunk);
    },
  });
  return { stream, digest: () => ({ sha256: hash.digest('hex'), bytes }) };
}

export class S3ArtifactStore implements ArtifactStore {
  readonly location: string;
  readonly remote = true;
  readonly client: S3Client;
  private scratch?: Promise<string>;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: S3StoreOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? S3_REQUEST_TIMEOUT_MS;
    this.location = `s3://${options.bucket}${options.prefix ? `/${options.prefix}` : ''}`;
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // socketTimeout is idle time (no byte either way), so large files are not cut short; it also
      // ends an answer whose body stalls half-way. (requestTimeout would only warn, by default.)
      requestHandler: { socketTimeout: this.requestTimeoutMs, connectionTimeout: this.requestTimeoutMs },
      // Our own sha256 guards content; the SDK's default CRC trailers are not understood by every
      // S3-compatible server, and they would end up in presigned URLs a provider must fetch plainly.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** The object key for a workflow path (see artifactStore.ts). */
  keyFor(target: string): string {
    const absolute = path.resolve(this.options.outRoot, target);
    const relative = path.relative(this.options.outRoot, absolute);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new ArtifactOutsideStoreError(
        `${target} is outside the output root ${this.options.outRoot}: with ARTIFACT_STORE=${this.location} every file must live under OUT_DIR (set the same OUT_DIR on clients and workers)`,
      );
    }
    const key = relative.split(path.sep).join('/');
    return this.options.prefix ? `${this.options.prefix}/${key}` : key;
  }

  private scratchDir(): Promise<string> {
    this.scratch ??= this.options.scratchDir ? Promise.resolve(this.options.scratchDir) : mkdtemp(path.join(os.tmpdir(), 'artifact-scratch-'));
    return this.scratch;
  }

  async scratchFor(target: string): Promise<string> {
    return path.join(await this.scratchDir(), `${randomBytes(6).toString('hex')}-${path.basename(target)}`);
  }

  async commit(temp: string, target: string, digest?: StoredDigest, contentType?: string): Promise<StoredDigest> {
    try {
      const key = this.keyFor(target);
      return await this.naming('writing', key, () => this.upload(temp, target, key, digest, contentType));
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** Runs one request, so that whatever fails names the object's key. */
  private async naming<T>(operation: 'reading' | 'writing' | 'removing', key: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (ours(err)) throw err;
      throw new ArtifactStoreRequestError(operation, key, this.location, err);
    }
  }

  private async upload(temp: string, target: string, key: string, digest: StoredDigest | undefined, contentType: string | undefined): Promise<StoredDigest> {
    // The metadata goes with the one upload, so the digest must be known before it starts.
    const expected = digest ?? (await this.hashFile(temp));
    // Hash the very bytes sent as well: a scratch file changed since it was checked is caught
    // here rather than stored under a wrong sha256 (the upload is then overwritten on retry).
    const { stream, digest: sent } = hashingStream();
    const source = createReadStream(temp);
    // .pipe() does not pass a read error on; without this the upload would wait for bytes forever.
    source.on('error', (err) => stream.destroy(err));
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.options.bucket,
        Key: key,
        Body: source.pipe(stream),
        ...(contentType ? { ContentType: contentType } : {}),
        Metadata: { [SHA256_METADATA]: expected.sha256 },
      },
      leavePartsOnError: false,
    });
    upload.on('httpUploadProgress', beat);
    await upload.done();
    const actual = sent();
    if (actual.sha256 !== expected.sha256) throw new ArtifactCorruptError(target, actual.sha256, expected.sha256, `scratch file ${temp}`);
    return actual;
  }

  private async hashFile(file: string): Promise<StoredDigest> {
    const { stream, digest } = hashingStream();
    await pipeline(createReadStream(file), stream, async function* (source) {
      for await (const _ of source) {
        // drain
      }
    });
    return digest();
  }

  async discard(temp: string): Promise<void> {
    await rm(temp, { force: true });
  }

  async writeBytes(target: string, content: Uint8Array, contentType?: string): Promise<StoredDigest> {
    const sha256 = createHash('sha256').update(content).digest('hex');
    const key = this.keyFor(target);
    await this.naming('writing', key, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: content,
          ContentLength: content.length,
          ...(contentType ? { ContentType: contentType } : {}),
          Metadata: { [SHA256_METADATA]: sha256 },
        }),
      ),
    );
    return { sha256, bytes: content.length };
  }

  async remove(target: string): Promise<void> {
    const key = this.keyFor(target);
    // S3 answers a delete of a missing key with success, which is what a caller removing a stale file wants.
    await this.naming('removing', key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key })));
  }

  private async get(target: string): Promise<GetObjectCommandOutput> {
    const key = this.keyFor(target);
    try {
      return await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
    } catch (err) {
      if (isMissing(err)) throw new ArtifactMissingError(target, this.location);
      throw new ArtifactStoreRequestError('reading', key, this.location, err);
    }
  }

  /**
   * Compares what was read with the sha256 stored with the object and the one the caller expects.
   * Content is only handed out verified: an object carrying no sha256 is refused unless the caller
   * names the one it expects (every object this store writes carries one).
   */
  private check(target: string, actual: string, stored: string | undefined, expected: string | undefined): void {
    if (stored && stored !== actual) throw new ArtifactCorruptError(target, actual, stored, this.location);
    if (expected && expected !== actual) throw new ArtifactCorruptError(target, actual, expected, this.location);
    if (!stored && !expected) throw new ArtifactCorruptError(target, actual, `no sha256 (the object carries no x-amz-meta-${SHA256_METADATA})`, this.location);
  }

  async readBytes(target: string, expectSha256?: string): Promise<Buffer> {
    const object = await this.get(target);
    const content = await this.naming('reading', this.keyFor(target), async () => Buffer.from(await object.Body!.transformToByteArray()));
    this.check(target, createHash('sha256').update(content).digest('hex'), object.Metadata?.[SHA256_METADATA], expectSha256);
    return content;
  }

  async withLocalCopy<T>(target: string, use: (file: string) => Promise<T>, expectSha256?: string): Promise<T> {
    const object = await this.get(target);
    const copy = path.join(await this.scratchDir(), `${randomBytes(6).toString('hex')}-${path.basename(target)}`);
    try {
      const { stream, digest } = hashingStream();
      await this.naming('reading', this.keyFor(target), () => pipeline(object.Body as Readable, stream, createWriteStream(copy)));
      this.check(target, digest().sha256, object.Metadata?.[SHA256_METADATA], expectSha256);
      return await use(copy);
    } finally {
      await rm(copy, { force: true });
    }
  }

  async digestOf(target: string): Promise<StoredDigest | undefined> {
    let object: GetObjectCommandOutput;
    try {
      object = await this.get(target);
    } catch (err) {
      if (err instanceof ArtifactMissingError) return undefined;
      throw err;
    }
    const { stream, digest } = hashingStream();
    await this.naming('reading', this.keyFor(target), () =>
      pipeline(object.Body as Readable, stream, async function* (source) {
        for await (const _ of source) {
          // drain
        }
      }),
    );
    const actual = digest();
    const stored = object.Metadata?.[SHA256_METADATA];
    return stored && stored !== actual.sha256 ? undefined : actual;
  }

  async checkAccess(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
    } catch (err) {
      const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode;
      const why =
        status === 404 ? `bucket ${this.options.bucket} does not exist`
        : status === 403 ? 'access denied (check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)'
        : `${e.name ?? 'error'}: ${e.message ?? String(err)}`;
      throw new Error(`ARTIFACT_STORE=${this.location}${this.options.endpoint ? ` at ${this.options.endpoint}` : ''} cannot be used: ${why}`);
    }
  }

  async presignedGet(target: string, ttlMs: number): Promise<string> {
    // SigV4 presigned URLs live at most 7 days.
    const expiresIn = Math.max(1, Math.min(7 * 24 * 3600, Math.ceil(ttlMs / 1000)));
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.options.bucket, Key: this.keyFor(target) }), { expiresIn });
  }
}
