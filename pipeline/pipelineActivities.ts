// Activities of the generic pipeline: what an earlier run of the same definition left intact, and
// the user's own audio made reachable for the one step that sends it to a provider.
import { copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { hashFile, tempPathBeside } from '../artifacts/atomicFile';
import { allIntact, intactFiles } from '../artifacts/intactFiles';
import { signFileToken } from '../callbacks/fileToken';
import type { ArtifactRecord } from '../contracts/artifacts';
import type { PipelineManifest } from '../contracts/pipelinePlan';

export interface PipelineActivityDeps {
  /** Where the callback endpoint is reached from outside, and the secret its tokens are signed with. */
  callbacks: { publicUrl: string; secret: string };
  /** The folder the callback endpoint serves uploads from (under its signed, expiring tokens). */
  uploadsDir: string;
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

export function createPipelineActivities(deps: PipelineActivityDeps) {
  return {
    async loadPreviousPipeline(input: { dir: string }): Promise<PreviousPipeline | undefined> {
      let manifest: PipelineManifest;
      try {
        manifest = JSON.parse(await readFile(path.join(input.dir, 'pipeline.json'), 'utf8')) as PipelineManifest;
      } catch {
        return undefined;
      }
      if (manifest.version !== 1 || typeof manifest.steps !== 'object' || !Array.isArray(manifest.files)) return undefined;
      const verified = await intactFiles(input.dir, manifest.files);
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
     * it for the step that asked.
     */
    async publishUserAudio(input: PublishAudioInput): Promise<{ url: string }> {
      const actual = await hashFile(input.file).catch((err: NodeJS.ErrnoException) => {
        throw ApplicationFailure.nonRetryable(`${input.file}: cannot read it (${err.code ?? err.message})`, USER_AUDIO_CHANGED);
      });
      if (actual.sha256 !== input.sha256) {
        throw ApplicationFailure.nonRetryable(`${input.file} changed since the run was planned (sha256 ${actual.sha256}, planned ${input.sha256}); start the run again`, USER_AUDIO_CHANGED);
      }
      const name = `${input.sha256}${path.extname(input.file).toLowerCase()}`;
      const target = path.join(deps.uploadsDir, name);
      await mkdir(deps.uploadsDir, { recursive: true });
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
