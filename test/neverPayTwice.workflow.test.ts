// "Never pay twice", on the time-skipping server: a refused submit is retried, a crash after the
// provider answered resumes the recorded task, and a submit whose answer was lost waits for an
// operator (task id, resubmit or abandon) unless the run's policy says to resubmit.
import { activityInfo } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStep } from '../client/resolveStep';
import { resolveSignal } from '../contracts/attentionMessages';
import { progressQuery } from '../contracts/pipelineMessages';
import { MusicState } from '../contracts/searchAttributes';
import type { SongPipelineResult } from '../contracts/songPipeline';
import { createWorkflowHarness, finishTasksAsTheyCome, type WorkflowHarness } from './helpers/workflowHarness';

let harness: WorkflowHarness;

beforeAll(async () => {
  harness = await createWorkflowHarness();
});

afterAll(async () => {
  await harness?.teardown();
});

async function waitForAttention(handle: Awaited<ReturnType<WorkflowHarness['start']>>) {
  await expect.poll(async () => (await handle.query(progressQuery)).needsAttention?.map((a) => a.stepId), { timeout: 20_000 }).toEqual(['song']);
}

describe('never pay twice', () => {
  it('retries a submit the provider refused (rate limit), creating exactly one task', async () => {
    await harness.withWorker(async () => {
      const { provider } = harness;
      const [tasksBefore, requestsBefore] = [provider.tasks.length, provider.submitRequests];
      provider.faults.push('throttle');
      const stop = finishTasksAsTheyCome(harness.provider);
      const result: SongPipelineResult = await (await harness.start(harness.input())).result().finally(stop);
      expect(result.status).toBe('succeeded');
      expect(provider.submitRequests - requestsBefore).toBe(2);
      expect(provider.tasks.length - tasksBefore).toBe(1);
    });
  });

  it('resumes the recorded task when the worker dies after the provider answered', async () => {
    await harness.withWorker(
      async () => {
        const { provider } = harness;
        const tasksBefore = provider.tasks.length;
        const stop = finishTasksAsTheyCome(harness.provider);
        const result: SongPipelineResult = await (await harness.start(harness.input())).result().finally(stop);
        expect(result.status).toBe('succeeded');
        expect(provider.tasks.length - tasksBefore).toBe(1);
        expect(result.steps.find((s) => s.stepId === 'song')!.taskId).toBe(provider.tasks[tasksBefore]!.taskId);
      },
      (real) => ({
        async submitProviderTask(input) {
          const outcome = await real.submitProviderTask(input);
          // The first attempt "crashes" between the provider's answer and its completion.
          if (activityInfo().attempt === 1) throw new Error('worker died before reporting the task id');
          return outcome;
        },
      }),
    );
  });

  it('waits for an operator when the answer was lost, and continues with the task id they give', async () => {
    await harness.withWorker(async () => {
      const { provider } = harness;
      const tasksBefore = provider.tasks.length;
      provider.faults.push('hang');
      const handle = await harness.start(harness.input());
      await waitForAttention(handle);
      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(MusicState)).toBe('needs-attention');

      await expect(resolveStep(handle, { stepId: 'song' })).rejects.toThrow(/exactly one of taskId, personaId, resubmit or abandon/);
      // A persona id settles a persona step only: a song step given one would wait for ever on nothing.
      await expect(resolveStep(handle, { personaId: 'persona-x' })).rejects.toThrow(/personaId settles a persona step only; step song is song/);
      // Sent as it is (from the Temporal UI, say), the run refuses it itself, says why, and keeps waiting.
      await handle.signal(resolveSignal, { requestId: 'from-the-ui', personaId: 'persona-x' });
      await expect.poll(async () => (await handle.query(progressQuery)).attentionAnswers?.find((a) => a.requestId === 'from-the-ui')?.refused, { timeout: 10_000 }).toMatch(/personaId settles a persona step only/);
      // Malformed ones too, without failing a workflow task.
      await handle.signal(resolveSignal, { requestId: 'wrong-type', taskId: 42 as unknown as string });
      await handle.signal(resolveSignal, null as unknown as { taskId: string });
      await expect.poll(async () => (await handle.query(progressQuery)).attentionAnswers?.find((a) => a.requestId === 'wrong-type')?.refused, { timeout: 10_000 }).toBe('taskId must be a string');
      await expect.poll(async () => (await handle.query(progressQuery)).attentionAnswers?.some((a) => a.requestId === undefined && /one object/.test(a.refused ?? '')), { timeout: 10_000 }).toBe(true);
      expect((await handle.query(progressQuery)).needsAttention?.map((a) => a.stepId)).toEqual(['song']);

      const lost = provider.tasks[tasksBefore]!;
      expect(await resolveStep(handle, { taskId: lost.taskId })).toBe('song');
      provider.setStatus(lost.taskId, 'SUCCESS');
      const result: SongPipelineResult = await handle.result();
      expect(result.steps.find((s) => s.stepId === 'song')!.taskId).toBe(lost.taskId);
      expect(provider.tasks.length - tasksBefore).toBe(1);
    });
  });

  it("settles a persona whose answer was lost with the persona id from the provider's records, paying once", async () => {
    await harness.withWorker(async () => {
      const { provider } = harness;
      // The family answers a persona in the submit itself: there is no task to read back, and a
      // second submit would pay again. Only the id the provider's records show can settle it.
      provider.personaFaults.push('hang');
      const stop = finishTasksAsTheyCome(harness.provider);
      try {
        const handle = await harness.start(harness.input({ request: { prompt: 'a voice to keep', instrumental: false, style: 'test', lyrics: '[Verse]\nla la' }, steps: ['song', 'persona'] }));
        await expect.poll(async () => (await handle.query(progressQuery)).needsAttention, { timeout: 30_000 }).toEqual([expect.objectContaining({ stepId: 'persona', kind: 'persona' })]);
        expect(provider.personas).toHaveLength(1);
        const made = provider.personas[0]!;
        expect(await resolveStep(handle, { personaId: ` ${made} ` })).toBe('persona');
        const result: SongPipelineResult = await handle.result();
        expect(result.status).toBe('succeeded');
        expect(result.personaId).toBe(made);
        expect(result.steps.find((s) => s.stepId === 'persona')).toMatchObject({ state: 'done', taskId: made });
        expect(provider.personas).toEqual([made]);
      } finally {
        stop();
      }
    });
  });

  it('fails the step clearly when the operator abandons it', async () => {
    await harness.withWorker(async () => {
      harness.provider.faults.push('hang');
      const handle = await harness.start(harness.input());
      await waitForAttention(handle);
      await resolveStep(handle, { abandon: true });
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
      expect(cause.type).toBe('StepAbandoned');
      expect(cause.message).toMatch(/step song: abandoned by an operator/);
    });
  });

  it('submits again on its own when the run policy says so', async () => {
    await harness.withWorker(async () => {
      const { provider } = harness;
      const tasksBefore = provider.tasks.length;
      provider.faults.push('hang');
      const stop = finishTasksAsTheyCome(harness.provider);
      const result: SongPipelineResult = await (await harness.start(harness.input({ onAmbiguousSubmit: 'resubmit' }))).result().finally(stop);
      expect(result.status).toBe('succeeded');
      // The policy accepted the risk: two tasks exist, the run used the second.
      expect(provider.tasks.length - tasksBefore).toBe(2);
      expect(result.steps.find((s) => s.stepId === 'song')!.taskId).toBe(provider.tasks[tasksBefore + 1]!.taskId);
    });
  });
});
