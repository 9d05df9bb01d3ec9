// A counting semaphore per provider, as a long-lived workflow: every run that is about to create a
// provider task asks it for a slot and gives the slot back when the task has finished. Providers
// refuse work past a number of running tasks (cqt answers 429 "task limit"); one semaphore shared by
// all runs keeps two albums started at once within the limit, across workers and restarts, and it is
// visible in the Temporal UI (query `slots`). Leases expire so a run that vanished cannot hold a
// slot forever; the history is bounded by continue-as-new.
import { allHandlersFinished, condition, continueAsNew, getExternalWorkflowHandle, setHandler, workflowInfo } from '@temporalio/workflow';
import { acquireSlotSignal, acquireSlotsUpdate, acquireSlotUpdate, passSlotSignal, releaseSlotSignal, slotGrantedSignal, slotsQuery, type SlotRequest, type SlotsState, type SlotUpdateRequest } from '../contracts/providerSlots';

const UPDATES_PER_RUN = 1_000;

const same = (a: { requester: string; stepId: string }, b: { requester: string; stepId: string }) => a.requester === b.requester && a.stepId === b.stepId;

export async function providerSlots(initial: SlotsState): Promise<void> {
  const state: SlotsState = { ...initial, holders: [...initial.holders], waiting: [...initial.waiting] };
  const regrant: SlotRequest[] = [];

  setHandler(slotsQuery, () => state);
  setHandler(acquireSlotSignal, (request) => {
    state.limit = request.limit;
    // A retried request (the asking activity ran twice) must not take a second slot.
    if (state.holders.some((h) => same(h, request))) regrant.push(request);
    else if (!state.waiting.some((w) => same(w, request))) state.waiting.push(request);
  });
  // The server refuses updates past a total per run (2,000 by default): continue as new well before.
  let updatesHandled = 0;
  /** A request by update: granted in the answer when a slot is free, else it waits its turn for a grant signal. */
  const admit = ({ releasing, ...request }: SlotUpdateRequest): boolean => {
    state.limit = request.limit;
    for (const stepId of releasing ?? []) state.holders = state.holders.filter((h) => !same(h, { requester: request.requester, stepId }));
    if (state.holders.some((h) => same(h, request))) return true;
    if (!state.waiting.some((w) => same(w, request))) {
      // Free while nobody queues ahead: granted in the answer, no signal back (the fast path).
      const now = Date.now();
      const live = state.holders.filter((h) => h.grantedAt + h.leaseMs > now).length;
      if (state.waiting.length === 0 && live < state.limit) {
        state.holders.push({ ...request, grantedAt: now });
        return true;
      }
      state.waiting.push(request);
    }
    return false;
  };
  setHandler(acquireSlotUpdate, (request) => {
    updatesHandled++;
    return { granted: admit(request) };
  });
  setHandler(acquireSlotsUpdate, ({ requests }) => {
    updatesHandled++;
    return { granted: requests.map(admit) };
  });
  setHandler(releaseSlotSignal, (release) => {
    state.holders = state.holders.filter((h) => !same(h, release));
    state.waiting = state.waiting.filter((w) => !same(w, release));
  });
  setHandler(passSlotSignal, ({ requester, from, to, leaseMs }) => {
    const next = { requester, stepId: to };
    if (state.holders.some((h) => same(h, next))) return;
    // The next step's task is being created whatever this semaphore thinks: a slot whose lease had
    // already run out is counted again, even past the limit for a moment, so that it is given back.
    state.holders = state.holders.filter((h) => !same(h, { requester, stepId: from }));
    state.holders.push({ requester, stepId: to, limit: state.limit, leaseMs, grantedAt: Date.now() });
  });

  for (;;) {
    const nextExpiry = Math.min(...state.holders.map((h) => h.grantedAt + h.leaseMs));
    const wait = Number.isFinite(nextExpiry) ? Math.max(1, nextExpiry - Date.now()) : undefined;
    const grantable = () => regrant.length > 0 || (state.waiting.length > 0 && state.holders.length < state.limit) || workflowInfo().continueAsNewSuggested || updatesHandled >= UPDATES_PER_RUN;
    if (wait === undefined) await condition(grantable);
    else await condition(grantable, wait);

    const now = Date.now();
    state.holders = state.holders.filter((h) => h.grantedAt + h.leaseMs > now);
    const grants: SlotRequest[] = regrant.splice(0);
    while (state.waiting.length > 0 && state.holders.length < state.limit) {
      const next = state.waiting.shift()!;
      state.holders.push({ ...next, grantedAt: now });
      grants.push(next);
    }
    await Promise.all(
      grants.map((g) =>
        getExternalWorkflowHandle(g.requester)
          .signal(slotGrantedSignal, { stepId: g.stepId })
          .catch(() => {
            // The run is gone: its slot is free again.
            state.holders = state.holders.filter((h) => !same(h, g));
          }),
      ),
    );

    if (workflowInfo().continueAsNewSuggested || updatesHandled >= UPDATES_PER_RUN) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof providerSlots>(state);
    }
  }
}
