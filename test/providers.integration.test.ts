// Every provider, end to end: the steps it offers, through the simulator speaking its dialect, on the
// real dev server with the worker and the callback endpoint. The pipeline is the same for all five.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../runtime/config';
import { startStack, type RunningStack } from '../stack/stack';
import { PROVIDER_NAMES } from '../providers/model';
import { adapterFor } from '../providers/registry';
import type { SongPipelineInput, SongPipelineResult } from '../contracts/songPipeline';
import { PIPELINE_STEPS } from '../contracts/trackManifest';
import { WORKFLOWS_PATH } from '../workers/worker';

let stack: RunningStack;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'providers-it-'));
  stack = await startStack({
    config: loadConfig({ CALLBACK_SECRET: 'integration-test-secret' }),
    log: () => {},
    devServer: { port: 0, uiPort: 0, ui: false, dbFile: path.join(scratch, 'temporal.db') },
    simulator: { port: 0, stageDelaysMs: { text: 300, first: 600, complete: 900 }, clipSeconds: 4, stateDir: path.join(scratch, 'simulator') },
    callbackPort: 0,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH }),
    pollScale: 0.2,
  });
});

afterAll(async () => {
  await stack?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('each provider through its simulated dialect', () => {
  for (const provider of PROVIDER_NAMES) {
    it(`${provider}: runs every step it offers and stores verified files`, async () => {
      const steps = PIPELINE_STEPS.filter((s) => adapterFor(provider).capabilities.includes(s));
      const input: SongPipelineInput = {
        provider,
        request: { prompt: `a calm piano piece about rain on ${provider}`, title: 'Rain', style: 'piano', instrumental: false },
        steps,
        outDir: path.join(scratch, provider),
        callbacks: true,
      };
      const handle = await stack.client.workflow.start('songPipeline', { taskQueue: stack.taskQueue, workflowId: `it-${provider}`, args: [input] });
      const result: SongPipelineResult = await handle.result();
      expect(result.failedSteps).toEqual([]);
      expect(result.steps.filter((s) => s.state === 'done').map((s) => s.stepId).sort()).toEqual([...steps].sort());
      for (const artifact of result.artifacts) {
        const bytes = await readFile(artifact.path);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(artifact.sha256);
      }
      expect(result.artifacts.some((a) => a.kind === 'audio')).toBe(true);
    });
  }

  it('fails at once, without retrying, when the provider rejects the request (cqt 451: artist name)', async () => {
    const input: SongPipelineInput = {
      provider: 'cqt',
      request: { prompt: 'a song in the style of Taylor Swift', instrumental: false },
      steps: ['lyrics', 'song'],
      outDir: path.join(scratch, 'rejected'),
      callbacks: true,
    };
    const handle = await stack.client.workflow.start('songPipeline', { taskQueue: stack.taskQueue, workflowId: 'it-rejected', args: [input] });
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = (err as WorkflowFailedError).cause as ActivityFailure;
    expect(activityFailure.retryState).toBe('NON_RETRYABLE_FAILURE');
    const cause = activityFailure.cause as ApplicationFailure;
    expect(cause.type).toBe('ProviderRejected');
    expect(cause.message).toMatch(/cqt error 451 .*artist name not allowed/);
  });
});
