// The chaos kit's stand-in for the person on call, against a real run on the time-skipping server.
// At 51 songs the simulator answered so slowly that a submit timed out before the provider had even
// recorded it; the operator, finding no record yet, resubmitted, and the first request was recorded
// (and paid) a moment later: 24 songs paid twice in the calm run. "No record" is only believed once
// the step has waited a while.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCallbackToken } from '../callbacks/callbackToken';
import { startAttentionOperator } from '../chaos/attentionOperator';
import type { PaidSubmit } from '../chaos/paidSubmits';
import { progressQuery } from '../contracts/pipelineMessages';
import type { SongPipelineResult } from '../contracts/songPipeline';
import { createWorkflowHarness, type WorkflowHarness } from './helpers/workflowHarness';

const SECRET = 'operator-test-secret-operator-test';
let harness: WorkflowHarness;

beforeAll(async () => {
  harness = await createWorkflowHarness();
});

afterAll(async () => {
  await harness?.teardown();
});

describe('chaos attention operator', () => {
  it('does not resubmit a lost submit whose record shows up late at the provider', async () => {
    await harness.withWorker(async () => {
      const { provider } = harness;
      const tasksBefore = provider.tasks.length;
      provider.faults.push('hang');
      const workflowId = 'operator-late-record';
      const handle = await harness.start(harness.input(), workflowId);
      await expect.poll(async () => (await handle.query(progressQuery)).needsAttention?.map((a) => a.stepId), { timeout: 30_000 }).toEqual(['song']);
      const lost = provider.tasks[tasksBefore]!;
      const startedAt = (await handle.describe()).startTime.getTime();

      // The provider's records, still without the request when the operator first looks.
      const ledger: PaidSubmit[] = [];
      const lines: string[] = [];
      const operator = startAttentionOperator({ client: harness.env.client, workflowIds: [workflowId], ledger, secret: SECRET, intervalMs: 200, noRecordGraceMs: 6_000, log: (line) => lines.push(line) });
      try {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        const token = signCallbackToken(SECRET, { workflowId, stepId: 'song', provider: 'anyint', expiresAt: new Date(startedAt + 86_400_000) });
        ledger.push({ route: 'POST /suno/generate', taskId: lost.taskId, receivedAt: new Date(startedAt + 1).toISOString(), body: { prompt: 'p', callBackUrl: `http://127.0.0.1:9/callbacks/${token}` } });
        await expect.poll(() => operator.resolutions, { timeout: 20_000 }).toBe(1);
      } finally {
        await operator.stop();
      }
      provider.setStatus(lost.taskId, 'SUCCESS');
      const result: SongPipelineResult = await handle.result();
      expect(lines).toEqual([`${workflowId}/song: resolved with task ${lost.taskId}`]);
      expect(result.steps.find((s) => s.stepId === 'song')!.taskId).toBe(lost.taskId);
      expect(provider.tasks.length - tasksBefore).toBe(1);
    });
  });

  it('resubmits once the grace has passed and the provider still has no record', async () => {
    await harness.withWorker(async () => {
      const { provider } = harness;
      provider.faults.push('hang');
      const workflowId = 'operator-no-record';
      const handle = await harness.start(harness.input(), workflowId);
      await expect.poll(async () => (await handle.query(progressQuery)).needsAttention?.map((a) => a.stepId), { timeout: 30_000 }).toEqual(['song']);
      const operator = startAttentionOperator({ client: harness.env.client, workflowIds: [workflowId], ledger: [], secret: SECRET, intervalMs: 200, noRecordGraceMs: 1_000 });
      try {
        await expect.poll(() => operator.resolutions, { timeout: 20_000 }).toBe(1);
      } finally {
        await operator.stop();
      }
      expect((await handle.query(progressQuery)).needsAttention ?? []).toEqual([]);
      await handle.terminate('test done');
    });
  });
});
