// The provider semaphore (slots/providerSlots.ts) as seen from outside: its state (also its input
// on continue-as-new), the signals and query it answers, its workflow id, and the shapes of the
// activity that asks it for a slot.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ProviderName } from '../providers/model';

export interface SlotRequest {
  /** Workflow id of the run asking; the grant is signalled back to it. */
  requester: string;
  stepId: string;
  /** The provider's limit as the asking worker is configured; the newest value wins. */
  limit: number;
  /** How long the slot may be held before it is taken back (the step's deadline, plus margin). */
  leaseMs: number;
}

export interface SlotHolder extends SlotRequest {
  grantedAt: number;
}

export interface SlotsState {
  provider: ProviderName;
  limit: number;
  holders: SlotHolder[];
  waiting: SlotRequest[];
}

export interface SlotRelease {
  requester: string;
  stepId: string;
}

export const acquireSlotSignal = defineSignal<[SlotRequest]>('acquireSlot');
export const releaseSlotSignal = defineSignal<[SlotRelease]>('releaseSlot');
/** Sent to the requesting run when its slot is granted. */
export const slotGrantedSignal = defineSignal<[{ stepId: string }]>('slotGranted');
export const slotsQuery = defineQuery<SlotsState>('slots');

export function providerSlotsWorkflowId(provider: ProviderName): string {
  return `provider-slots-${provider}`;
}

/** Input of the requestProviderSlot activity. */
export interface ProviderSlotRequest {
  provider: ProviderName;
  requester: string;
  stepId: string;
  leaseMs: number;
}

/** `limited: false`: the provider has no limit configured, so no grant will come and none is needed. */
export interface ProviderSlotAnswer {
  limited: boolean;
}
