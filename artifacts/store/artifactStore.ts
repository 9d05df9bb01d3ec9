// Where finished files live: the local output folder (the default) or an S3-compatible bucket
// (ARTIFACT_STORE=s3://bucket/prefix). Every activity that writes or reads a run's files goes
// through this interface, so workflows never learn which store is configured.
//
// Names: workflows keep passing the same `dir` / `outDir` strings as before (the client derives
// them from OUT_DIR, e.g. `<OUT_DIR>/<album>/01`), and files keep their paths in track.json,
// album.json and results. A store maps such a path to where the bytes are:
// - the local store: the path itself, on this worker's disk;
// - the S3 store: the key `<prefix>/<path relative to the out root>`, where the out root is OUT_DIR
//   resolved on the worker (a relative path is taken as relative to the out root). A path outside
//   the out root is refused: it names no object. Workers and clients on different machines must
//   therefore agree on OUT_DIR (an absolute path such as /srv/music/out; nothing is written there).
// The local disk is then only scratch: media is downloaded, checked with ffprobe and hashed in a
// temporary folder, and uploaded with its sha256 (object metadata) once it is known to be good.

/** A stored file's content digest and size. */
export interface StoredDigest {
  sha256: string;
  bytes: number;
}

export interface ArtifactStore {
  /** Where files go, for logs and messages: an absolute folder or `s3://bucket/prefix`. */
  readonly location: string;
  /** True for stores whose files a provider can fetch through a presigned URL. */
  readonly remote: boolean;

  /**
   * A fresh temporary file path in which to produce content bound for `target` (beside it on a
   * local disk, so the final rename is atomic; in the worker's scratch folder for S3). The caller
   * passes it to `commit` or `discard`.
   */
  scratchFor(target: string): Promise<string>;
  /**
   * Makes a finished temporary file the content of `target`: appears whole or not at all, with its
   * sha256 recorded (computed here when not given). The temporary file is gone afterwards.
   */
  commit(temp: string, target: string, digest?: StoredDigest, contentType?: string): Promise<StoredDigest>;
  /** Removes a temporary file from `scratchFor` that will not be committed. */
  discard(temp: string): Promise<void>;
  /** Writes small content (track.json, lyrics) whole, with its sha256. */
  writeBytes(target: string, content: Uint8Array, contentType?: string): Promise<StoredDigest>;

  /**
   * The content of `target`, checked against the sha256 stored with it (and `expectSha256` when
   * given). Throws ArtifactMissingError or ArtifactCorruptError.
   */
  readBytes(target: string, expectSha256?: string): Promise<Buffer>;
  /**
   * Runs `use` with a path on this machine holding the content of `target` (for ffprobe, ffmpeg),
   * checked as readBytes checks; for remote stores a scratch copy, removed afterwards.
   */
  withLocalCopy<T>(target: string, use: (file: string) => Promise<T>, expectSha256?: string): Promise<T>;
  /**
   * The digest of what is really stored at `target` (read whole and hashed), or undefined when it
   * is missing or no longer matches the sha256 stored with it.
   */
  digestOf(target: string): Promise<StoredDigest | undefined>;
  /** Removes `target`; nothing happens when it is not there (a file a newer one replaced under another name). */
  remove(target: string): Promise<void>;
  /**
   * Throws a clear error when the store cannot be used (a bucket that does not exist, refused
   * credentials, an endpoint that does not answer): a worker checks at start, before any run pays
   * for a file it then could not store.
   */
  checkAccess(): Promise<void>;
  /** A URL anyone holding it may GET for `ttlMs`; only for remote stores. */
  presignedGet(target: string, ttlMs: number): Promise<string>;
}

export class ArtifactMissingError extends Error {
  override readonly name = 'ArtifactMissingError';
  readonly code = 'ENOENT';
  constructor(readonly target: string, where: string) {
    super(`${target} does not exist in ${where}`);
  }
}

export class ArtifactCorruptError extends Error {
  override readonly name = 'ArtifactCorruptError';
  constructor(readonly target: string, actual: string, expected: string, where: string) {
    super(`${target} in ${where} is corrupt: its content has sha256 ${actual}, but ${expected} was recorded`);
  }
}

/** A path the S3 store cannot name (outside the out root). */
export class ArtifactOutsideStoreError extends Error {
  override readonly name = 'ArtifactOutsideStoreError';
}
