// Workflow side of the slot activities (slotActivities.ts): proxied once, with their timeouts and retries.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { SlotActivities } from './slotActivities';

/** The signal-with-start request of runs begun before the fast path (kept so their histories replay). */
export const { requestProviderSlot } = proxyActivities<SlotActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
  summary: 'ask for a provider slot',
});

/**
 * One update to the semaphore, answered in milliseconds: local, so it costs one marker in the run's
 * history and no task round trip through the server.
 */
export const { acquireProviderSlot } = proxyLocalActivities<SlotActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200ms', maximumInterval: '10s' },
  summary: 'ask for a provider slot',
});
