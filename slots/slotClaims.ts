// The requesting side of the provider semaphore (providerSlots.ts): a run asks for a slot before it
// creates a provider task, waits for the grant signal, and gives the slot back once the task is done.
import { condition, getExternalWorkflowHandle, setHandler } from '@temporalio/workflow';
import type { ProviderName } from '../providers/model';
import { providerSlotsWorkflowId, releaseSlotSignal, slotGrantedSignal } from '../contracts/providerSlots';
import { requestProviderSlot } from './slotProxies';

export class SlotClaims {
  private readonly granted = new Set<string>();

  constructor(
    private readonly provider: ProviderName,
    private readonly workflowId: string,
  ) {
    setHandler(slotGrantedSignal, ({ stepId }) => {
      this.granted.add(stepId);
    });
  }

  /** Waits until the provider has room for one more running task of this run's step. */
  async acquire(stepId: string, leaseMs: number, onWait: () => void): Promise<void> {
    const { limited } = await requestProviderSlot({ provider: this.provider, requester: this.workflowId, stepId, leaseMs });
    if (!limited) return;
    if (!this.granted.has(stepId)) onWait();
    await condition(() => this.granted.has(stepId));
  }

  async release(stepId: string): Promise<void> {
    if (!this.granted.delete(stepId)) return;
    try {
      await getExternalWorkflowHandle(providerSlotsWorkflowId(this.provider)).signal(releaseSlotSignal, { requester: this.workflowId, stepId });
    } catch {
      // The semaphore takes the slot back when its lease ends.
    }
  }
}
