// A pipeline whose files live in an S3 bucket (versitygw), on the real stack (dev server, worker,
// callback endpoint, simulator): the user's demo reaches the provider through a presigned GET URL
// on the bucket (not through the callback endpoint), every file and pipeline.json are objects with
// matching sha256s, and running the pipeline again reuses every step from the bucket, paying nothing;
// an object corrupted on the server is noticed on read and only its step is made again.
// The output root is a path that does not exist on this machine: in S3 mode it only names keys.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrAttach } from '../client/runs';
import type { PipelineManifest, PipelinePlan, PipelineRunResult } from '../contracts/pipelinePlan';
import { MusicProvider } from '../contracts/searchAttributes';
import { loadPipelineFile } from '../pipeline/definition/load';
import { pipelineRun } from '../pipeline/pipelineRun';
import { probeMedia } from '../runtime/ffmpeg';
import { shortHash } from '../runtime/slug';
import { simulatorLedger, startPipelineStack, type PipelineStack } from './helpers/pipelineStack';
import { startS3Server, type S3Server } from './helpers/s3Server';

const BUCKET = 'pipelines';
const OUT_ROOT = '/nonexistent-music-root/out';
const DEMO = path.resolve(__dirname, '..', 'examples', 'pipelines', 'demo.mp3');

let s3: S3Server;
let env: PipelineStack;

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket(BUCKET);
  env = await startPipelineStack('store-pipeline-it-', 6, { ...s3.env(BUCKET), OUT_DIR: OUT_ROOT });
}, 180_000);

afterAll(async () => {
  await env?.stop();
  await s3?.stop();
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function object(key: string): Promise<{ body: Buffer; metaSha?: string }> {
  const o = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return { body: Buffer.from(await o.Body!.transformToByteArray()), metaSha: o.Metadata?.sha256 };
}

async function run(plan: PipelinePlan): Promise<PipelineRunResult> {
  const workflowId = `pipeline-${plan.name}-${shortHash(plan)}`;
  const { handle } = await startOrAttach(env.stack, pipelineRun, {
    workflowId,
    args: [{ plan, outDir: path.join(OUT_ROOT, 'pipelines', workflowId), callbacks: true }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [{ key: MusicProvider, value: plan.provider }],
  });
  return handle.result();
}

describe('a pipeline in an S3 bucket', () => {
  it('cover-my-demo: the demo goes out by presigned URL, the files land in the bucket, a rerun pays nothing, a corrupted object is made again', async () => {
    const loaded = await loadPipelineFile(path.resolve(__dirname, '..', 'examples', 'pipelines', 'cover-my-demo.yaml'));
    if (!loaded.ok) throw new Error(loaded.errors.join('; '));
    const paidBefore = (await simulatorLedger(env)).length;
    const result = await run(loaded.plan);
    expect(result.failedSteps).toEqual([]);

    // The provider fetched the demo from the bucket, by a URL signed for a limited time.
    const upload = (await simulatorLedger(env)).slice(paidBefore).find((e) => (e.body as { task?: string }).task === 'upload');
    const audioUrl = (upload?.body as { audioUrl?: string } | undefined)?.audioUrl ?? '';
    expect(audioUrl.startsWith(`${s3.endpoint}/${BUCKET}/.uploads/`)).toBe(true);
    expect(audioUrl).toMatch(/X-Amz-Expires=\d+/);
    const demoBytes = (await object(`.uploads/${sha(await readFile(DEMO))}.mp3`)).body;
    expect(sha(demoBytes)).toBe(loaded.plan.steps.find((s) => s.name === 'demo')!.inputs.audioSha256);

    // pipeline.json and every file it lists are objects whose content matches the recorded sha256.
    const prefix = path.relative(OUT_ROOT, result.outDir);
    const manifestObject = await object(`${prefix}/pipeline.json`);
    expect(sha(manifestObject.body)).toBe(manifestObject.metaSha);
    const manifest = JSON.parse(manifestObject.body.toString('utf8')) as PipelineManifest;
    expect(manifest.files.map((f) => f.file).sort()).toEqual(['cover.mp3', 'wav.wav'].sort());
    for (const f of manifest.files) {
      const o = await object(`${prefix}/${f.file}`);
      expect(sha(o.body), f.file).toBe(f.sha256);
      expect(o.metaSha, f.file).toBe(f.sha256);
    }
    // The cover decodes and lasts as long as the demo.
    const demoSeconds = (await probeMedia(DEMO)).durationSeconds;
    const coverArtifact = result.artifacts.find((a) => path.basename(a.path) === 'cover.mp3')!;
    expect(Math.abs(coverArtifact.durationSeconds! - demoSeconds)).toBeLessThanOrEqual(0.5);
    expect(existsSync(OUT_ROOT)).toBe(false);

    // Again: every step reused from the bucket, nothing paid.
    const paidAfterFirst = (await simulatorLedger(env)).length;
    const again = await run(loaded.plan);
    expect(again.failedSteps).toEqual([]);
    expect(again.reusedSteps).toEqual(expect.arrayContaining(['cover', 'wav']));
    expect((await simulatorLedger(env)).length).toBe(paidAfterFirst);

    // Bit rot in the bucket: one byte of the WAV flipped on the server's disk. The next run reads
    // it back, sees the sha256 no longer match, and makes (and pays for) the WAV again, only it.
    const wavFile = path.join(s3.dataDir, BUCKET, prefix, 'wav.wav');
    const handle = await open(wavFile, 'r+');
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, 4_000);
    await handle.write(Buffer.from([byte[0]! ^ 0xff]), 0, 1, 4_000);
    await handle.close();
    const third = await run(loaded.plan);
    expect(third.failedSteps).toEqual([]);
    expect(third.reusedSteps).toContain('cover');
    expect(third.reusedSteps).not.toContain('wav');
    expect((await simulatorLedger(env)).length).toBe(paidAfterFirst + 1);
    const repaired = JSON.parse((await object(`${prefix}/pipeline.json`)).body.toString('utf8')) as PipelineManifest;
    const wav = repaired.files.find((f) => f.file === 'wav.wav')!;
    expect(sha((await object(`${prefix}/wav.wav`)).body)).toBe(wav.sha256);
  }, 300_000);
});
