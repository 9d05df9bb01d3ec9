// The real stack for pipeline end-to-end tests (dev server, worker, callback endpoint, simulator on
// free ports, as songPipeline.integration starts it), a pipeline plan run on it through the
// workflow function, and what a user relies on afterwards: every file the run lists, re-read and
// re-hashed here, and measured with ffprobe.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { expect } from 'vitest';
import { startOrAttach } from '../../client/runs';
import type { PipelineManifest, PipelinePlan, PipelineRunInput, PipelineRunResult } from '../../contracts/pipelinePlan';
import { MusicProvider } from '../../contracts/searchAttributes';
import { pipelineRun } from '../../pipeline/pipelineRun';
import { loadConfig } from '../../runtime/config';
import { probeMedia, type MediaProbe } from '../../runtime/ffmpeg';
import { shortHash } from '../../runtime/slug';
import { startStack, type RunningStack } from '../../stack/stack';
import { WORKFLOWS_PATH } from '../../workers/worker';

export interface PipelineStack {
  stack: RunningStack;
  scratch: string;
  clipSeconds: number;
  stop(): Promise<void>;
}

/** `stageDelaysMs`: how long the simulator's tasks take at each stage (default: a fraction of a second). */
export async function startPipelineStack(prefix: string, clipSeconds: number, env: Record<string, string> = {}, stageDelaysMs = { text: 200, first: 400, complete: 600 }): Promise<PipelineStack> {
  const scratch = await mkdtemp(path.join(tmpdir(), prefix));
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  const stack = await startStack({
    // Only defaults: no API keys, so every provider is played by the simulator.
    config: loadConfig({ CALLBACK_SECRET: 'integration-test-secret', ...env }),
    log: () => {},
    devServer: { port: 0, uiPort: 0, ui: false, dbFile: path.join(scratch, 'temporal.db') },
    simulator: { port: 0, stageDelaysMs, clipSeconds, stateDir: path.join(scratch, 'simulator') },
    callbackPort: 0,
    workflowBundle,
    pollScale: 0.2,
  });
  return {
    stack,
    scratch,
    clipSeconds,
    stop: async () => {
      await stack.stop();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** Runs a plan as `npm run pipeline` does: id from the plan's content, started (or attached) by the workflow function. */
export async function runPlan(env: PipelineStack, plan: PipelinePlan): Promise<PipelineRunResult> {
  const workflowId = `pipeline-${plan.name}-${shortHash(plan)}`;
  const input: PipelineRunInput = { plan, outDir: path.join(env.scratch, 'out', 'pipelines', workflowId), callbacks: true };
  const { handle } = await startOrAttach(env.stack, pipelineRun, {
    workflowId,
    args: [input],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [{ key: MusicProvider, value: plan.provider }],
  });
  return handle.result();
}

export interface LedgerEntry {
  route: string;
  taskId: string;
  body: unknown;
}

/** Every paid submit the simulator accepted, read over HTTP as any client could. */
export async function simulatorLedger(env: PipelineStack): Promise<LedgerEntry[]> {
  const response = await fetch(`${env.stack.simulatorUrl}/_sim/ledger`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { entries: LedgerEntry[] }).entries;
}

export interface CheckedFile {
  file: string;
  kind: string;
  path: string;
  /** ffprobe's reading, for media files. */
  probe?: MediaProbe;
}

const MEDIA_KINDS = new Set(['audio', 'stem', 'wav', 'video', 'cover-art']);

/**
 * pipeline.json and the result agree, every listed file exists with its size and sha256, and every
 * media file decodes. Returns each step's files, as pipeline.json lists them.
 */
export async function checkRunFiles(result: PipelineRunResult): Promise<{ manifest: PipelineManifest; files: Record<string, CheckedFile[]> }> {
  const manifest = JSON.parse(await readFile(path.join(result.outDir, 'pipeline.json'), 'utf8')) as PipelineManifest;
  expect(manifest.files.map((f) => f.file).sort()).toEqual(result.artifacts.filter((a) => a.kind !== 'manifest').map((a) => path.relative(result.outDir, a.path)).sort());
  const files: Record<string, CheckedFile[]> = {};
  for (const [step, record] of Object.entries(manifest.steps)) {
    files[step] = [];
    for (const file of record.files) {
      const listed = manifest.files.find((f) => f.file === file);
      expect(listed, `${step}: ${file} is listed in pipeline.json's files`).toBeDefined();
      const full = path.join(result.outDir, file);
      const bytes = await readFile(full);
      expect(bytes.length, `${file} size`).toBe(listed!.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), `${file} sha256`).toBe(listed!.sha256);
      const checked: CheckedFile = { file, kind: listed!.kind, path: full };
      if (MEDIA_KINDS.has(listed!.kind)) checked.probe = await probeMedia(full);
      files[step].push(checked);
    }
  }
  return { manifest, files };
}

/** The single file of a step, with its probe. */
export function only(files: Record<string, CheckedFile[]>, step: string): CheckedFile {
  const list = files[step] ?? [];
  expect(list.map((f) => f.file), `step ${step} keeps one file`).toHaveLength(1);
  return list[0]!;
}

export function seconds(file: CheckedFile): number {
  expect(file.probe, `${file.file} is media`).toBeDefined();
  return file.probe!.durationSeconds;
}

/** Two lengths the same within the tolerance the workflow's own checks use (0.5 s). */
export function expectSameLength(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual.toFixed(2)} s, expected ${expected.toFixed(2)} s`).toBeLessThanOrEqual(0.5);
}
