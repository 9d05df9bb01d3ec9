// Many steps asking one worker for a provider slot at the same moment (a burst: 500 songs finishing
// their lyrics together) go to the semaphore in a few updates, not one each; each step still learns
// in the answer whether its slot was free, and the rest wait their turn as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerSlotsWorkflowId, slotsQuery } from '../contracts/providerSlots';
import { createProviderSlotActivities } from '../slots/slotActivities';
import { createWorkflowHarness, type WorkflowHarness } from './helpers/workflowHarness';

let harness: WorkflowHarness;

beforeAll(async () => {
  harness = await createWorkflowHarness();
});

afterAll(async () => {
  await harness?.teardown();
});

describe('a burst of slot requests from one worker', () => {
  it('is answered in a few updates: the first 20 granted at once, the other 10 queued', async () => {
    const limit = 20;
    const slots = createProviderSlotActivities({ client: harness.env.client, taskQueue: harness.taskQueue, limitFor: () => limit });
    await harness.withWorker(async () => {
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => slots.acquireProviderSlot({ provider: 'cqt', requester: `burst-run-${i}`, stepId: 'song', leaseMs: 600_000 })),
      );
      expect(answers.every((a) => a.limited)).toBe(true);
      // In the order asked: the first twenty had a free slot, the others wait for a grant signal.
      expect(answers.map((a) => a.granted)).toEqual([...Array(20).fill(true), ...Array(10).fill(false)]);

      const semaphore = harness.env.client.workflow.getHandle(providerSlotsWorkflowId('cqt'));
      const state = await semaphore.query(slotsQuery);
      expect(state.holders.map((h) => h.requester)).toEqual(Array.from({ length: 20 }, (_, i) => `burst-run-${i}`));
      const updates = (await semaphore.fetchHistory()).events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
      expect(updates).toBeGreaterThan(0);
      expect(updates).toBeLessThanOrEqual(4);
      await semaphore.terminate('test over');
    });
  }, 60_000);
});
