// Workflow side of the slot activity (slotActivities.ts): proxied once, with its timeouts and retries.
import { proxyActivities } from '@temporalio/workflow';
import type { SlotActivities } from './slotActivities';

export const { requestProviderSlot } = proxyActivities<SlotActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
  summary: 'ask for a provider slot',
});
