// Asks the provider's semaphore workflow for a slot, starting the semaphore if it is not running yet
// (signal-with-start). Returns at once; the grant arrives as a signal to the asking run.
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { ProviderName } from '../providers/model';
import { acquireSlotSignal, acquireSlotUpdate, providerSlotsWorkflowId, type ProviderSlotAnswer, type ProviderSlotRequest, type SlotRequest, type SlotsState } from '../contracts/providerSlots';
import type { providerSlots } from './providerSlots';

export interface SlotDeps {
  client: Client;
  taskQueue: string;
  /** Most tasks a provider may have running at once; undefined means no limit. */
  limitFor(provider: ProviderName): number | undefined;
}

export function createProviderSlotActivities(deps: SlotDeps | undefined) {
  return {
    async requestProviderSlot(input: ProviderSlotRequest): Promise<ProviderSlotAnswer> {
      const limit = deps?.limitFor(input.provider);
      if (!deps || limit === undefined) return { limited: false };
      const initial: SlotsState = { provider: input.provider, limit, holders: [], waiting: [] };
      // Typed by the workflow function (a type import: no workflow code runs here), so its name and
      // arguments are checked; the client sends the function's name, `providerSlots`.
      await deps.client.workflow.signalWithStart<typeof providerSlots, [SlotRequest]>('providerSlots', {
        workflowId: providerSlotsWorkflowId(input.provider),
        taskQueue: deps.taskQueue,
        args: [initial],
        signal: acquireSlotSignal,
        signalArgs: [{ requester: input.requester, stepId: input.stepId, limit, leaseMs: input.leaseMs }],
        staticSummary: `running-task slots for ${input.provider} (limit ${limit})`,
      });
      return { limited: true };
    },

    /**
     * Asks for a slot with update-with-start: the answer says whether it is granted already (a free
     * slot costs the run no grant signal, no extra workflow task). Run as a local activity.
     */
    async acquireProviderSlot(input: ProviderSlotRequest): Promise<ProviderSlotAnswer> {
      const limit = deps?.limitFor(input.provider);
      if (!deps || limit === undefined) return { limited: false };
      const initial: SlotsState = { provider: input.provider, limit, holders: [], waiting: [] };
      const startWorkflowOperation = new WithStartWorkflowOperation<typeof providerSlots>('providerSlots', {
        workflowId: providerSlotsWorkflowId(input.provider),
        taskQueue: deps.taskQueue,
        args: [initial],
        workflowIdConflictPolicy: 'USE_EXISTING',
        staticSummary: `running-task slots for ${input.provider} (limit ${limit})`,
      });
      const { granted } = await deps.client.workflow.executeUpdateWithStart(acquireSlotUpdate, {
        args: [{ requester: input.requester, stepId: input.stepId, limit, leaseMs: input.leaseMs, releasing: input.releasing }],
        startWorkflowOperation,
      });
      return { limited: true, granted };
    },
  };
}

export type SlotActivities = ReturnType<typeof createProviderSlotActivities>;
