// Activities of the generic pipeline: what an earlier run of the same definition left intact, and
// the user's own audio made reachable for the one step that sends it to a provider.
import { copyFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { asWriteFailure, hashFile, tempPathBeside } from '../artifacts/atomicFile';
import { makeFolder } from '../runtime/makeFolder';
import { allIntact, intactFiles } from '../artifacts/intactFiles';
import { ArtifactMissingError, type ArtifactStore } from '../artifacts/store/artifactStore';
import { signFileToken } from '../callbacks/fileToken';
import type { ArtifactRecord } from '../contracts/artifacts';
import type { PipelineManifest } from '../contracts/pipelinePlan';

export interface PipelineActivityDeps {
  /** Where the callback endpoint is reached from outside, and the secret its tokens are signed with. */
  callbacks: { publicUrl: string; secret: string };
  /** The folder the callback endpoint serves uploads from (under its signed, expiring tokens). */
  uploadsDir: string;
  /** Where the run's files live; with a bucket, the user's audio is published from it too. */
  store: ArtifactStore;
}

export interface PreviousPipeline {
  manifest: PipelineManifest;
  /** Steps whose every file is still there with its recorded sha256, with those files (absolute paths). */
  intact: Record<string, ArtifactRecord[]>;
}

export interface PublishAudioInput {
  /** The user's file, on this machine. */
  file: string;
  /** Its sha256 when the plan was made: the file must not have changed since. */
  sha256: string;
  /** How long the provider may take to fetch it. */
  ttlMs: number;
}

export const USER_AUDIO_CHANGED = 'UserAudioChanged';

/** Folder (under the bucket prefix) of the user files published for providers. */
export const USER_UPLOADS_FOLDER = '.uploads';

export function createPipelineActivities(deps: PipelineActivityDeps) {
  return {
    async loadPreviousPipeline(input: { dir: string }): Promise<PreviousPipeline | undefined> {
      let manifest: PipelineManifest;
      try {
        manifest = JSON.parse((await deps.store.readBytes(path.join(input.dir, 'pipeline.json'))).toString('utf8')) as PipelineManifest;
      } catch (err) {
        // As for track.json: only "no record" starts afresh; an unreachable store retries.
        if (err instanceof ArtifactMissingError || err instanceof SyntaxError) return undefined;
        throw err;
      }
      if (manifest.version !== 1 || typeof manifest.steps !== 'object' || !Array.isArray(manifest.files)) return undefined;
      const verified = await intactFiles(deps.store, input.dir, manifest.files);
      const intact: PreviousPipeline['intact'] = {};
      for (const [name, record] of Object.entries(manifest.steps)) {
        if (record.state !== 'succeeded') continue;
        const files = allIntact(record.files, verified);
        if (files) intact[name] = files;
      }
      return { manifest, intact };
    },

    /**
     * Puts the user's file where the callback endpoint serves it, named by its content, and returns a
     * URL with a signed token that expires: the file leaves the machine only when a provider fetches
     * it for the step that asked. With a bucket as the store, the file is uploaded there instead
     * (`.uploads/<sha256><ext>` under the store's prefix) and the provider gets a presigned GET URL
     * that expires after the same time: no worker or callback endpoint needs to serve it.
     */
    async publishUserAudio(input: PublishAudioInput): Promise<{ url: string }> {
      const actual = await hashFile(input.file).catch((err: NodeJS.ErrnoException) => {
        throw ApplicationFailure.nonRetryable(`${input.file}: cannot read it (${err.code ?? err.message})`, USER_AUDIO_CHANGED);
      });
      if (actual.sha256 !== input.sha256) {
        throw ApplicationFailure.nonRetryable(`${input.file} changed since the run was planned (sha256 ${actual.sha256}, planned ${input.sha256}); start the run again`, USER_AUDIO_CHANGED);
      }
      const name = `${input.sha256}${path.extname(input.file).toLowerCase()}`;
      if (deps.store.remote) {
        // A relative path names a key under the store's prefix (see artifacts/store/artifactStore.ts).
        const key = path.join(USER_UPLOADS_FOLDER, name);
        const temp = await deps.store.scratchFor(key);
        try {
          await copyFile(input.file, temp);
          // The commit hashes the bytes it sends: a file changed after the check above is refused.
          await deps.store.commit(temp, key, actual);
        } finally {
          await deps.store.discard(temp);
        }
        return { url: await deps.store.presignedGet(key, input.ttlMs) };
      }
      const target = path.join(deps.uploadsDir, name);
      // A folder that cannot hold the copy is the configuration's fault: fail at once, no retries.
      await makeFolder(deps.uploadsDir).catch((err: unknown) => {
        throw asWriteFailure(err);
      });
      const present = await stat(target).then((s) => s.size === actual.bytes, () => false);
      if (!present) {
        const temp = tempPathBeside(target);
        try {
          await copyFile(input.file, temp);
          await rename(temp, target);
        } finally {
          await rm(temp, { force: true });
        }
      }
      const token = signFileToken(deps.callbacks.secret, { file: name, expiresAt: new Date(Date.now() + input.ttlMs) });
      return { url: `${deps.callbacks.publicUrl}/files/${token}/${name}` };
    },
  };
}
