// A stand-in for the person on call. A worker killed between sending a submit and recording the
// provider's answer leaves the outcome unknown; the step then waits for an operator instead of
// risking a second payment (steps/attention.ts). A fault test or chaos run has nobody to answer,
// so this loop does what the runbook says: look the step up in the provider's records (here the
// simulator's ledger) and resolve it with that task id (or persona id), or resubmit when the
// provider never accepted the request. One case costs a second payment on purpose: a route that
// answers in the submit itself and keeps nothing to read back (timed lyrics) can only be had again
// by asking again; those resubmits are listed in `rebought`, so the check can tell them from faults.
import type { Client } from '@temporalio/client';
import type { ResolveRequest } from '../contracts/attentionMessages';
import type { StepKind } from '../providers/model';
import { resolveStep } from '../client/resolveStep';
import { findPaidSubmit, findUnsignedSubmit, unsignedNameOf, type PaidSubmit } from './paidSubmits';

/** The part of the `progress` query that songPipeline and albumPipeline both answer and this needs. */
interface WaitingSteps {
  needsAttention?: { stepId: string; kind?: StepKind }[];
  steps?: { stepId: string; kind: StepKind; taskId?: string }[];
}

/**
 * Kinds some providers answer in the submit itself, with the provider's route for each. Their
 * requests carry no callback URL, so the ledger ties them to a step only by the song they work on.
 * `record`: the provider keeps what it answered (a persona lives on under its id), so the answer
 * can be had from the records without paying again.
 */
const ANSWERED_IN_SUBMIT: Partial<Record<StepKind, { route: RegExp; record: boolean }>> = {
  persona: { route: /persona/i, record: true },
  'timestamped-lyrics': { route: /timestamped-lyrics|timing/i, record: false },
};

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
  /**
   * How long a step must have waited before "no record at the provider" is believed (default 30 s).
   * A submit whose answer timed out may still be on its way: a provider that is slow to answer is
   * slow to record too, and resubmitting before its record shows would pay twice.
   */
  noRecordGraceMs?: number;
  /** One line per resolution. */
  log?: (line: string) => void;
}

export interface AttentionOperator {
  /** Steps resolved so far (by task id, persona id or resubmit). */
  readonly resolutions: number;
  /**
   * Answers bought again knowingly: one name (paidSubmits' unsignedNameOf) per resubmit of a request
   * the provider had accepted and answered in the submit, with no record to read the answer from.
   */
  readonly rebought: readonly string[];
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

  const rebought: string[] = [];
  const noRecordGraceMs = options.noRecordGraceMs ?? 30_000;
  // When each waiting step (of each run) was first seen with no record at the provider.
  const firstSeenWithoutRecord = new Map<string, number>();
  const resolveWaitingSteps = async (workflowId: string) => {
    const handle = options.client.workflow.getHandle(workflowId);
    const { needsAttention = [], steps = [] } = await handle.query<WaitingSteps>('progress');
    if (needsAttention.length === 0) return;
    // The current run's start: an album tries a track again in a fresh run with the same id, and an
    // earlier attempt's submits must not settle this one's.
    const since = (await handle.describe()).startTime;
    for (const { stepId, kind } of needsAttention) {
      const request = decide(workflowId, stepId, kind, steps, since);
      if (request.resolve.resubmit === true && request.rebought === undefined) {
        const key = `${workflowId}/${stepId}/${since.getTime()}`;
        const firstSeen = firstSeenWithoutRecord.get(key) ?? Date.now();
        firstSeenWithoutRecord.set(key, firstSeen);
        if (Date.now() - firstSeen < noRecordGraceMs) continue;
      }
      await resolveStep(handle, request.resolve, { answerWithinMs: ROUND_DEADLINE_MS });
      resolutions++;
      if (request.rebought) rebought.push(request.rebought);
      log(`${workflowId}/${stepId}: ${request.said}`);
    }
  };

  const decide = (workflowId: string, stepId: string, kind: StepKind | undefined, steps: NonNullable<WaitingSteps['steps']>, since: Date) => {
    const paid = findPaidSubmit(options.ledger, options.secret, workflowId, stepId, since);
    if (paid) return { resolve: { stepId, taskId: paid.taskId }, said: `resolved with task ${paid.taskId}` };
    const inSubmit = kind === undefined ? undefined : ANSWERED_IN_SUBMIT[kind];
    const sourceTaskIds = new Set(steps.filter((s) => s.stepId !== stepId && s.taskId !== undefined).map((s) => s.taskId!));
    const unsigned = inSubmit && findUnsignedSubmit(options.ledger, options.secret, { route: inSubmit.route, sourceTaskIds, since });
    // No record means the request never reached the provider (or was refused): resubmitting cannot pay twice.
    if (!inSubmit || !unsigned) return { resolve: { stepId, resubmit: true }, said: 'resubmitted (the provider has no record of it)' };
    if (kind === 'persona' && inSubmit.record) return { resolve: { stepId, personaId: unsigned.taskId }, said: `resolved with persona ${unsigned.taskId} from the provider's records` };
    return { resolve: { stepId, resubmit: true }, rebought: unsignedNameOf(unsigned), said: `resubmitted knowingly: the provider answered ${kind} in the submit and keeps no record to read it back (paid again)` };
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
    get rebought() {
      return rebought;
    },
    stop: async () => {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
