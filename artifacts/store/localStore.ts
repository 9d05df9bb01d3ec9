// The default store: files on this worker's disk, at the very paths the workflows name. A file is
// produced under a hidden temporary name in its own folder and renamed into place (atomic on one
// file system), as before the store existed. The disk keeps no sha256 beside a file; the records
// (track.json, pipeline.json, album.json) hold it, and readers pass it as `expectSha256`.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../atomicFile';
import { makeFolder } from '../../runtime/makeFolder';
import { ArtifactCorruptError, ArtifactMissingError, type ArtifactStore, type StoredDigest } from './artifactStore';

async function hashLocal(file: string): Promise<StoredDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

function missingAs(target: string) {
  return (err: NodeJS.ErrnoException): never => {
    if (err.code === 'ENOENT') throw new ArtifactMissingError(target, 'the local output folder');
    throw err;
  };
}

export class LocalArtifactStore implements ArtifactStore {
  readonly location = 'the local output folder';
  readonly remote = false;

  async scratchFor(target: string): Promise<string> {
    await makeFolder(path.dirname(target));
    return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.part`);
  }

  async commit(temp: string, target: string, digest?: StoredDigest): Promise<StoredDigest> {
    try {
      const actual = digest ?? (await hashLocal(temp));
      await makeFolder(path.dirname(target));
      await rename(temp, target);
      return actual;
    } finally {
      await rm(temp, { force: true });
    }
  }

  async discard(temp: string): Promise<void> {
    await rm(temp, { force: true });
  }

  async writeBytes(target: string, content: Uint8Array): Promise<StoredDigest> {
    const { sha256, bytes } = await writeFileAtomic(target, content);
    return { sha256, bytes };
  }

  async readBytes(target: string, expectSha256?: string): Promise<Buffer> {
    const content = await readFile(target).catch(missingAs(target));
    if (expectSha256) {
      const actual = createHash('sha256').update(content).digest('hex');
      if (actual !== expectSha256) throw new ArtifactCorruptError(target, actual, expectSha256, this.location);
    }
    return content;
  }

  async withLocalCopy<T>(target: string, use: (file: string) => Promise<T>, expectSha256?: string): Promise<T> {
    if (expectSha256) {
      const actual = await hashLocal(target).catch(missingAs(target));
      if (actual.sha256 !== expectSha256) throw new ArtifactCorruptError(target, actual.sha256, expectSha256, this.location);
    } else {
      await stat(target).catch(missingAs(target));
    }
    return use(target);
  }

  async digestOf(target: string): Promise<StoredDigest | undefined> {
    return hashLocal(target).catch(() => undefined);
  }

  async remove(target: string): Promise<void> {
    await rm(target, { force: true });
  }

  async checkAccess(): Promise<void> {
    // Folders are created as files arrive; a folder that cannot be written fails that run's first write.
  }

  async presignedGet(target: string): Promise<string> {
    throw new Error(`${target}: the local output folder has no presigned URLs (set ARTIFACT_STORE=s3://... for that)`);
  }
}
