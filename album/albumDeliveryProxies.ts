// Workflow side of the delivery activities (delivery/deliveryActivities.ts): proxied once. Mastering
// at 96 kHz may pass over a long song up to four times, so the attempt may take long; the heartbeat
// notices a lost worker within seconds. Bad input (a silent song, a missing cover) fails at once.
import { proxyActivities } from '@temporalio/workflow';
import { ALBUM_ACTIVITY_RETRY, LOST_WITH_ITS_WORKER_AFTER } from '../contracts/heartbeats';
import { ALBUM_ASSEMBLY_FAILURE } from '../contracts/albumFiles';
import type { DeliveryActivities } from './delivery/deliveryActivities';

export const { deliverTrack, deliverCover, recordDelivery } = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: LOST_WITH_ITS_WORKER_AFTER,
  retry: { ...ALBUM_ACTIVITY_RETRY, nonRetryableErrorTypes: [ALBUM_ASSEMBLY_FAILURE] },
  summary: 'album delivery folder',
});
