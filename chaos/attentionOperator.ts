// A stand-in for the person on call. A worker killed between sending a submit and recording the
// provider's answer leaves the outcome unknown; the step then waits for an operator instead of
// risking a second payment (steps/attention.ts). A fault test or chaos run has nobody to answer,
// so this loop does what the runbook says: look the step up in the provider's records (here the
// simulator's ledger) and resolve it with that task id, or resubmit when the provider never accepted
// the request.
import type { Client } from '@temporalio/client';
import type { ResolveRequest } from '../contracts/attentionMessages';
import { findPaidSubmit, type PaidSubmit } from './paidSubmits';

/** The part of the `progress` query that songPipeline and albumPipeline both answer and this needs. */
interface WaitingSteps {
  needsAttention?: { stepId: string }[];
}

/** A query needs a live worker to answer; with none (killed, or the server away) it would wait for a long time. */
const ROUND_DEADLINE_MS = 10_000;

export interface AttentionOperatorOptions {
  client: Client;
  /** The runs to watch; a function when the set changes over time (children started later, say). */
  workflowIds: readonly string[] | (() => readonly string[]);
  /** The provider's records of accepted submits; read afresh every round, so a live array works. */
  ledger: readonly PaidSubmit[];
  /** The callback secret, to tell which submit belongs to which run and step. */
  secret: string;
  /** Default 1 s: an unknown submit should not hold a test up for long. */
  intervalMs?: number;
  /** One line per resolution. */
  log?: (line: string) => void;
}

export interface AttentionOperator {
  /** Steps resolved so far (by task id or resubmit). */
  readonly resolutions: number;
  /** Ends the loop after the current round. */
  stop(): Promise<void>;
}

export function startAttentionOperator(options: AttentionOperatorOptions): AttentionOperator {
  const intervalMs = options.intervalMs ?? 1_000;
  const log = options.log ?? (() => {});
  const ids = typeof options.workflowIds === 'function' ? options.workflowIds : () => options.workflowIds as readonly string[];
  let resolutions = 0;
  let stopped = false;
  let wake: (() => void) | undefined;

  const resolveWaitingSteps = async (workflowId: string) => {
    const handle = options.client.workflow.getHandle(workflowId);
    const { needsAttention = [] } = await handle.query<WaitingSteps>('progress');
    for (const { stepId } of needsAttention) {
      const paid = findPaidSubmit(options.ledger, options.secret, workflowId, stepId);
      // No record means the request never reached the provider (or was refused): resubmitting cannot pay twice.
      const request: ResolveRequest = paid ? { stepId, taskId: paid.taskId } : { stepId, resubmit: true };
      await handle.executeUpdate<string, [ResolveRequest]>('resolve', { args: [request] });
      resolutions++;
      // Only signed submits can be traced to a step: a route that takes no callback URL (one that
      // answers in the submit itself) leaves no trace of which step paid, so "no record" may be wrong.
      log(`${workflowId}/${stepId}: ${paid ? `resolved with task ${paid.taskId}` : 'resubmitted (no signed record of it at the provider; an unsigned request may still have been paid for)'}`);
    }
  };

  // One round at a time (never overlapping), so a step is never resolved twice by two rounds racing.
  const loop = (async () => {
    while (!stopped) {
      // Failures are expected and harmless: a run not started yet, one already closed, a server that
      // is down for a moment. The next round tries again.
      // Each run's round is bounded, so that stop() returns promptly even while queries hang.
      const deadline = Date.now() + ROUND_DEADLINE_MS;
      await Promise.all(ids().map((id) => options.client.withDeadline(deadline, () => resolveWaitingSteps(id)).catch(() => {})));
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    get resolutions() {
      return resolutions;
    },
    stop: async () => {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
