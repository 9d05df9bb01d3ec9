// Asks the provider's semaphore workflow for a slot, starting the semaphore if it is not running yet
// (signal-with-start). Returns at once; the grant arrives as a signal to the asking run.
import type { Client } from '@temporalio/client';
import type { ProviderName } from '../providers/model';
import { acquireSlotSignal, providerSlotsWorkflowId, type SlotsState } from './providerSlots';

export interface SlotDeps {
  client: Client;
  taskQueue: string;
  /** Most tasks a provider may have running at once; undefined means no limit. */
  limitFor(provider: ProviderName): number | undefined;
}

export function createProviderSlotActivities(deps: SlotDeps | undefined) {
  return {
    async requestProviderSlot(input: { provider: ProviderName; requester: string; stepId: string; leaseMs: number }): Promise<{ limited: boolean }> {
      const limit = deps?.limitFor(input.provider);
      if (!deps || limit === undefined) return { limited: false };
      const initial: SlotsState = { provider: input.provider, limit, holders: [], waiting: [] };
      await deps.client.workflow.signalWithStart('providerSlots', {
        workflowId: providerSlotsWorkflowId(input.provider),
        taskQueue: deps.taskQueue,
        args: [initial],
        signal: acquireSlotSignal,
        signalArgs: [{ requester: input.requester, stepId: input.stepId, limit, leaseMs: input.leaseMs }],
        staticSummary: `running-task slots for ${input.provider} (limit ${limit})`,
      });
      return { limited: true };
    },
  };
}
