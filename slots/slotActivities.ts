// Asks the provider's semaphore workflow for a slot, starting the semaphore if it is not running yet:
// by update-with-start, whose answer grants a free slot at once (one update for all the steps a
// worker asks for at the same moment), or (runs begun before that, or an update refused or slow) by
// signal-with-start, whose grant arrives as a signal to the run.
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { ProviderName } from '../providers/model';
import { acquireSlotSignal, acquireSlotsUpdate, PROVIDER_SLOTS_PRIORITY, providerSlotsWorkflowId, releaseSlotSignal, type ProviderSlotAnswer, type ProviderSlotRequest, type SlotRequest, type SlotsState, type SlotUpdateRequest } from '../contracts/providerSlots';
import type { providerSlots } from './providerSlots';
import { SlotUpdateBatcher } from './slotUpdateBatcher';

export interface SlotDeps {
  client: Client;
  taskQueue: string;
  /** Most tasks a provider may have running at once; undefined means no limit. */
  limitFor(provider: ProviderName): number | undefined;
}

const UPDATE_DEADLINE_MS = 5_000;

export function createProviderSlotActivities(deps: SlotDeps | undefined) {
  /** Sends the request as a signal: the grant comes back as a signal when the semaphore gets to it. */
  async function signalForSlot(deps: SlotDeps, input: ProviderSlotRequest, limit: number): Promise<void> {
    const initial: SlotsState = { provider: input.provider, limit, holders: [], waiting: [] };
    // Typed by the workflow function (a type import: no workflow code runs here), so its name and
    // arguments are checked; the client sends the function's name, `providerSlots`.
    await deps.client.workflow.signalWithStart<typeof providerSlots, [SlotRequest]>('providerSlots', {
      workflowId: providerSlotsWorkflowId(input.provider),
      taskQueue: deps.taskQueue,
      priority: PROVIDER_SLOTS_PRIORITY,
      args: [initial],
      signal: acquireSlotSignal,
      signalArgs: [{ requester: input.requester, stepId: input.stepId, limit, leaseMs: input.leaseMs }],
      staticSummary: `running-task slots for ${input.provider} (limit ${limit})`,
    });
  }

  /** Asks for these steps' slots in one update-with-start; resolves with whether each was granted, in order. */
  async function updateForSlots(deps: SlotDeps, provider: ProviderName, requests: SlotUpdateRequest[]): Promise<boolean[]> {
    const limit = requests[0]!.limit;
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof providerSlots>('providerSlots', {
      workflowId: providerSlotsWorkflowId(provider),
      taskQueue: deps.taskQueue,
      priority: PROVIDER_SLOTS_PRIORITY,
      args: [{ provider, limit, holders: [], waiting: [] }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `running-task slots for ${provider} (limit ${limit})`,
    });
    const { granted } = await deps.client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () =>
      deps.client.workflow.executeUpdateWithStart(acquireSlotsUpdate, { args: [{ requests }], startWorkflowOperation }),
    );
    return granted;
  }

  // One worker's requests go to the semaphore together (slotUpdateBatcher.ts); an update refused or
  // slow sends each of its requests as a signal instead.
  const batcher = deps ? new SlotUpdateBatcher((provider, requests) => updateForSlots(deps, provider, requests)) : undefined;

  return {
    async requestProviderSlot(input: ProviderSlotRequest): Promise<ProviderSlotAnswer> {
      const limit = deps?.limitFor(input.provider);
      if (!deps || limit === undefined) return { limited: false };
      await signalForSlot(deps, input, limit);
      return { limited: true };
    },

    /**
     * Asks for a slot by update-with-start, with the other steps this worker is asking for at the
     * same moment: the answer says whether it is granted already (a free slot costs the run no grant
     * signal, no extra workflow task). Run as a local activity. When the update fails it falls back
     * to the signal, whose grant arrives as a signal.
     */
    async acquireProviderSlot(input: ProviderSlotRequest): Promise<ProviderSlotAnswer> {
      const limit = deps?.limitFor(input.provider);
      if (!deps || !batcher || limit === undefined) return { limited: false };
      const request = { requester: input.requester, stepId: input.stepId, limit, leaseMs: input.leaseMs, ...(input.releasing ? { releasing: input.releasing } : {}) };
      const granted = await batcher.ask(input.provider, request);
      // An update that did go through but whose answer was lost left this step a holder or waiting:
      // the signal below then only brings its grant back.
      if (granted !== undefined) return { limited: true, granted };
      if (input.releasing?.length) {
        // The releases that rode on the update go as their own signals (they are sent once already; repeating is harmless).
        for (const stepId of input.releasing) {
          await deps.client.workflow.getHandle(providerSlotsWorkflowId(input.provider)).signal(releaseSlotSignal, { requester: input.requester, stepId }).catch(() => undefined);
        }
      }
      await signalForSlot(deps, input, limit);
      return { limited: true, granted: false };
    },
  };
}

export type SlotActivities = ReturnType<typeof createProviderSlotActivities>;
