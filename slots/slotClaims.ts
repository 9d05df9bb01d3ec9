// The requesting side of the provider semaphore (providerSlots.ts): a run asks for a slot before it
// creates a provider task, waits for the grant (in the answer when a slot is free, else a signal),
// and gives the slot back once the task is done.
import { condition, getExternalWorkflowHandle, patched, setHandler } from '@temporalio/workflow';
import type { ProviderName } from '../providers/model';
import { passSlotSignal, providerSlotsWorkflowId, releaseSlotSignal, slotGrantedSignal } from '../contracts/providerSlots';
import { acquireProviderSlot, requestProviderSlot } from './slotProxies';

/**
 * Patch marker of the fast path: a local update that grants a free slot in its answer, and a release
 * that the step does not wait for. Runs begun before it replay the signal round trip they recorded.
 */
export const SLOT_FAST_PATH = 'slot-fast-path';

/**
 * The same fast path, decided when the run begins. A patch asked for only after a local activity
 * cannot replay: the replaying SDK hands the activity's result back before it learns of the markers
 * that follow it, answers "not patched", and the run fails on its own marker (TMPRL1100). That is
 * what stalled songs at scale, where a busy worker let the first local activity outlive its workflow
 * task. Runs that recorded SLOT_FAST_PATH keep asking for it where they did.
 */
export const SLOT_FAST_PATH_FROM_START = 'slot-fast-path-from-start';

export class SlotClaims {
  private readonly granted = new Set<string>();
  /** Released on the fast path, their signals maybe still on the way: the next acquire repeats them. */
  private releasing: string[] = [];

  /** Build it before the run's first await; `fastFromStart`: SLOT_FAST_PATH_FROM_START, asked for where the run began. */
  constructor(
    private readonly provider: ProviderName,
    private readonly workflowId: string,
    private readonly fastFromStart: boolean,
  ) {
    setHandler(slotGrantedSignal, ({ stepId }) => {
      this.granted.add(stepId);
    });
  }

  /** Waits until the provider has room for one more running task of this run's step. */
  async acquire(stepId: string, leaseMs: number, onWait: () => void): Promise<void> {
    // Passed on by the run's previous step (`pass`): held already.
    if (this.granted.has(stepId)) return;
    const request = { provider: this.provider, requester: this.workflowId, stepId, leaseMs };
    if (this.fastPath()) {
      const releasing = this.releasing.splice(0);
      const { limited, granted } = await acquireProviderSlot(releasing.length > 0 ? { ...request, releasing } : request);
      if (!limited) return;
      if (granted) this.granted.add(stepId);
    } else {
      const { limited } = await requestProviderSlot(request);
      if (!limited) return;
    }
    if (!this.granted.has(stepId)) onWait();
    await condition(() => this.granted.has(stepId));
  }

  async release(stepId: string): Promise<void> {
    if (!this.granted.delete(stepId)) return;
    const sent = getExternalWorkflowHandle(providerSlotsWorkflowId(this.provider)).signal(releaseSlotSignal, { requester: this.workflowId, stepId });
    // The semaphore takes the slot back when its lease ends if the signal cannot be delivered.
    const delivered = sent.catch(() => undefined);
    // The fast path does not wait for the delivery: the run's next step need not.
    if (!this.fastPath()) await delivered;
    else this.releasing.push(stepId);
  }

  /**
   * Gives the slot of finished step `from` to the run's next step `to`, without a round trip: false
   * when `from` holds none (the provider has no limit), and the next step then asks as usual.
   */
  pass(from: string, to: string, leaseMs: number): boolean {
    if (!this.granted.delete(from)) return false;
    this.granted.add(to);
    // Not waited for, as a fast-path release is not. Should it never arrive, the old lease runs out
    // and the next step's release finds nothing to give back: the slot is free again either way.
    getExternalWorkflowHandle(providerSlotsWorkflowId(this.provider))
      .signal(passSlotSignal, { requester: this.workflowId, from, to, leaseMs })
      .catch(() => undefined);
    return true;
  }

  private fastPath(): boolean {
    return this.fastFromStart || patched(SLOT_FAST_PATH);
  }
}
