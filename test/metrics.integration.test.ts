// The embedded stack's /metrics (npm start with METRICS_PORT): one process with the worker and the
// callback endpoint, one registry. A song without webhooks is found finished by polls, and the
// provider-done → noticed lag is observed; the SDK's own metrics come in the same answer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MusicProvider } from '../contracts/searchAttributes';
import type { SongPipelineInput, SongPipelineResult } from '../contracts/songPipeline';
import { loadConfig } from '../runtime/config';
import { startStack, type RunningStack } from '../stack/stack';
import { WORKFLOWS_PATH } from '../workers/worker';

let stack: RunningStack;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'metrics-it-'));
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  stack = await startStack({
    config: loadConfig({ CALLBACK_SECRET: 'integration-test-secret', METRICS_HOST: '127.0.0.1' }),
    log: () => {},
    devServer: { port: 0, uiPort: 0, ui: false, dbFile: path.join(scratch, 'temporal.db') },
    simulator: { port: 0, stageDelaysMs: { text: 300, first: 600, complete: 900 }, clipSeconds: 4, stateDir: path.join(scratch, 'simulator') },
    callbackPort: 0,
    metricsPort: 0,
    workflowBundle,
    pollScale: 0.2,
  });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (match[2] ?? '').includes(`${k}="${v}"`))) total += Number(match[3]);
  }
  return total;
}

describe('metrics of the embedded stack', () => {
  it('counts a polled song: steps, paid submits, bytes, and the done → noticed lag, beside the SDK metrics', async () => {
    expect(stack.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const input: SongPipelineInput = {
      provider: 'acedata',
      request: { prompt: 'a slow waltz counted by polls', instrumental: false },
      steps: ['lyrics', 'song'],
      outDir: path.join(scratch, 'out', 'polled'),
      callbacks: false,
    };
    const handle = await stack.client.workflow.start('songPipeline', {
      taskQueue: stack.taskQueue,
      workflowId: 'metrics-polled-song',
      args: [input],
      typedSearchAttributes: [{ key: MusicProvider, value: 'acedata' }],
    });
    const result: SongPipelineResult = await handle.result();

    const text = await (await fetch(stack.metricsUrl!)).text();
    for (const kind of ['lyrics', 'song']) {
      expect(sample(text, 'music_steps_started_total', { provider: 'acedata', kind }), `${kind} started`).toBe(1);
      expect(sample(text, 'music_steps_finished_total', { provider: 'acedata', kind, outcome: 'succeeded' }), `${kind} finished`).toBe(1);
      expect(sample(text, 'music_paid_submits_total', { provider: 'acedata', kind }), `${kind} paid`).toBe(1);
    }
    // acedata answers a lyrics request at once; the song, without webhooks, is found finished by a poll.
    expect(sample(text, 'music_steps_finished_total', { provider: 'acedata', kind: 'lyrics', noticed_by: 'submit' })).toBe(1);
    expect(sample(text, 'music_steps_finished_total', { provider: 'acedata', kind: 'song', noticed_by: 'poll' })).toBe(1);
    // Polls that saw the task running left their time for the poll that found it finished.
    expect(sample(text, 'music_provider_done_noticed_seconds_count', { provider: 'acedata' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'music_bytes_stored_total')).toBeGreaterThanOrEqual(result.artifacts.reduce((sum, a) => sum + a.bytes, 0));
    expect(sample(text, 'music_webhooks_received_total')).toBe(0);
    expect(sample(text, 'music_sdk_metrics_up')).toBe(1);
    expect(sample(text, 'temporal_workflow_completed', { workflow_type: 'songPipeline' })).toBeGreaterThanOrEqual(1);
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
  }, 240_000);
});
