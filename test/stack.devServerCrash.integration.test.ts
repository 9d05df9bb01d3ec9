// `npm start` supervises its embedded dev server: killed outright (a crash, the OOM killer), it is
// started again on its database and a song that was running finishes, without anyone restarting
// anything by hand. The same startStack as `npm start` and the client scripts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../runtime/config';
import { resultThroughOutages } from '../client/runResult';
import { startStack, type RunningStack } from '../stack/stack';
import { WORKFLOWS_PATH } from '../workers/worker';
import type { SongPipelineInput, SongPipelineResult } from '../contracts/songPipeline';

let stack: RunningStack;
let scratch: string;
const lines: string[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'stack-crash-'));
  stack = await startStack({
    config: loadConfig({ CALLBACK_SECRET: 'stack-crash-test-secret' }),
    log: (line) => lines.push(line),
    devServer: { port: 0, uiPort: 0, ui: false, dbFile: path.join(scratch, 'temporal.db') },
    simulator: { port: 0, stageDelaysMs: { text: 1500, first: 2500, complete: 3500 }, clipSeconds: 3, stateDir: path.join(scratch, 'simulator') },
    callbackPort: 0,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH }),
    pollScale: 0.2,
  });
});

afterAll(async () => {
  await stack?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the embedded dev server', () => {
  it('is started again after a SIGKILL, and the running song completes', async () => {
    const input: SongPipelineInput = {
      provider: 'anyint',
      request: { prompt: 'a song that outlives its server', instrumental: false },
      steps: ['lyrics', 'song'],
      outDir: path.join(scratch, 'out'),
      callbacks: true,
    };
    const handle = await stack.client.workflow.start('songPipeline', { taskQueue: stack.taskQueue, workflowId: 'crash-song', args: [input] });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const firstPid = stack.devServerPid?.();
    expect(firstPid).toBeDefined();
    process.kill(firstPid as number, 'SIGKILL');

    const result = await resultThroughOutages<SongPipelineResult>(handle);
    expect(result.status).toBe('succeeded');
    expect(lines.some((line) => line.includes('stopped unexpectedly'))).toBe(true);
    expect(lines.some((line) => line.includes('started again'))).toBe(true);
    expect(stack.devServerPid?.()).not.toBe(firstPid);
  }, 120_000);
});
