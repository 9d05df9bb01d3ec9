// The provider semaphore (slots/providerSlots.ts) as seen from outside: its state (also its input
// on continue-as-new), the signals and query it answers, its workflow id, and the shapes of the
// activity that asks it for a slot.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
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

/** A request by update, with the slots this run gives back on the way (their release signals may still be coming). */
export type SlotUpdateRequest = SlotRequest & { releasing?: string[] };

export interface SlotRelease {
  requester: string;
  stepId: string;
}

export const acquireSlotSignal = defineSignal<[SlotRequest]>('acquireSlot');
/**
 * Asks for a slot and answers at once: `granted: true` when one was free (or is already held), so
 * the run needs no grant signal; otherwise the request waits its turn and the grant comes as
 * `slotGranted`, as with the signal.
 */
export const acquireSlotUpdate = defineUpdate<{ granted: boolean }, [SlotUpdateRequest]>('acquireSlotNow');
/**
 * The same for many steps at once, in order: what one worker's runs asked for while its previous
 * update was on its way. At a burst (500 songs finishing their lyrics together) one update per step
 * could not keep up, and the rest went as signals, each grant another signal and workflow task.
 */
export const acquireSlotsUpdate = defineUpdate<{ granted: boolean[] }, [{ requests: SlotUpdateRequest[] }]>('acquireSlotsNow');
export const releaseSlotSignal = defineSignal<[SlotRelease]>('releaseSlot');

/** A run's slot moving from a finished step to its next one on the same provider. */
export interface SlotPass {
  requester: string;
  from: string;
  to: string;
  /** The next step's lease, from when the semaphore learns of the pass. */
  leaseMs: number;
}

/**
 * A run that finished one step and goes straight on to its next on the same provider keeps its slot:
 * the number of running tasks does not change, so the run need not ask and wait for an answer (a
 * round trip through the semaphore's workflow task in the hop between the two tasks). Sent without
 * waiting; the semaphore renames the holder and starts the new lease.
 */
export const passSlotSignal = defineSignal<[SlotPass]>('passSlot');
/** Sent to the requesting run when its slot is granted. */
export const slotGrantedSignal = defineSignal<[{ stepId: string }]>('slotGranted');
export const slotsQuery = defineQuery<SlotsState>('slots');

/**
 * The semaphore's place in its task queue: first (1 of 1..5; runs default to 3). Every step of every
 * run waits on its workflow tasks, so at a burst (500 songs finishing their lyrics together) they
 * must not queue behind the songs' own: there the grants took 8 to 13 s.
 */
export const PROVIDER_SLOTS_PRIORITY = { priorityKey: 1 } as const;

export function providerSlotsWorkflowId(provider: ProviderName): string {
  return `provider-slots-${provider}`;
}

/** Input of the requestProviderSlot activity. */
export interface ProviderSlotRequest {
  provider: ProviderName;
  requester: string;
  stepId: string;
  leaseMs: number;
  /**
   * Steps of the same run whose slots it gave back just before (their release signals may still be
   * on the way): freed first, so a run moving from one step to the next never queues behind itself.
   */
  releasing?: string[];
}

/** `limited: false`: the provider has no limit configured, so no grant will come and none is needed. */
export interface ProviderSlotAnswer {
  limited: boolean;
  /** Answered by acquireProviderSlot only: the slot is the run's already, no grant signal will come. */
  granted?: boolean;
}
