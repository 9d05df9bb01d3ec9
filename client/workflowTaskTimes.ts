// Where a run's time went between its own steps, read from its history: how long its workflow tasks
// took on a worker, and how long it stood still because a worker died (or a server restart lost a
// worker's answer) while it held one of them. The chaos script prints these as its "where the time
// went" rows; the scale benchmark prints the processing times, which bound how short the workflow
// task timeout may be (it stays at the server's 10 s: README, "Faults and chaos").
// The default export: tsx loads the package as CommonJS, whose named exports Node cannot see.
import proto from '@temporalio/proto';

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

const EventType = proto.temporal.api.enums.v1.EventType;
const TimeoutType = proto.temporal.api.enums.v1.TimeoutType;

/** An event's time in ms since the epoch (0 when it has none). */
export function eventTimeMs(event: HistoryEvent | undefined): number {
  const time = event?.eventTime as { seconds?: { toNumber?: () => number } | number | null; nanos?: number | null } | null | undefined;
  const seconds = typeof time?.seconds === 'number' ? time.seconds : (time?.seconds?.toNumber?.() ?? 0);
  return seconds * 1000 + (time?.nanos ?? 0) / 1e6;
}

export interface WorkflowTaskTimes {
  /** Started → completed, per workflow task that completed (ms): the worker's time on it. */
  processingMs: number[];
  /** Tasks a worker took and never answered (killed, or its answer lost with a server restart): the run waited out the timeout. */
  lostWithWorker: { count: number; waitedMs: number };
  /** Tasks that waited on a worker's own (sticky) queue that nobody polled any more, before any worker could take them. */
  stuckOnStickyQueue: { count: number; waitedMs: number };
  /**
   * Activity attempts given up because their worker stopped beating (killed mid-attempt). Read from the
   * failure before each activity's last attempt, so two lost in a row count as one: a floor.
   */
  activityAttemptsLost: number;
}

function emptyWorkflowTaskTimes(): WorkflowTaskTimes {
  return { processingMs: [], lostWithWorker: { count: 0, waitedMs: 0 }, stuckOnStickyQueue: { count: 0, waitedMs: 0 }, activityAttemptsLost: 0 };
}

/** The figures of many runs' histories, added up. */
export function workflowTaskTimesOf(histories: Iterable<readonly HistoryEvent[]>): WorkflowTaskTimes {
  const times = emptyWorkflowTaskTimes();
  for (const events of histories) addWorkflowTaskTimes(events, times);
  return times;
}

/** The figures of one history, added to `into`. */
function addWorkflowTaskTimes(events: readonly HistoryEvent[], into: WorkflowTaskTimes): void {
  const byId = new Map<number, HistoryEvent>();
  for (const event of events) byId.set(Number(event.eventId), event);
  const at = (id: unknown) => eventTimeMs(byId.get(Number(id)));
  for (const event of events) {
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
        const attrs = event.workflowTaskCompletedEventAttributes;
        if (attrs) into.processingMs.push(eventTimeMs(event) - at(attrs.startedEventId));
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT: {
        const attrs = event.workflowTaskTimedOutEventAttributes;
        if (!attrs) break;
        if (attrs.timeoutType === TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE) {
          into.lostWithWorker.count++;
          into.lostWithWorker.waitedMs += eventTimeMs(event) - at(attrs.startedEventId);
        } else {
          into.stuckOnStickyQueue.count++;
          into.stuckOnStickyQueue.waitedMs += eventTimeMs(event) - at(attrs.scheduledEventId);
        }
        break;
      }
      // An activity's retried attempts leave no events of their own: the started event of the attempt
      // that ended it says which attempt it was and why the one before failed.
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        if (event.activityTaskStartedEventAttributes?.lastFailure?.timeoutFailureInfo?.timeoutType === TimeoutType.TIMEOUT_TYPE_HEARTBEAT) into.activityAttemptsLost++;
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: {
        if (event.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType === TimeoutType.TIMEOUT_TYPE_HEARTBEAT) into.activityAttemptsLost++;
        break;
      }
    }
  }
}
