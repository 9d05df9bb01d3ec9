// Settles a step that needs attention, as `npm run resolve`, the chaos kit's operator and the tests
// do: the request is checked against what the run shows waiting, sent as the `resolve` signal with
// an id of its own, and the run's answer to that id is read back from its progress query.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { resolveRequestProblem, resolveSignal, type AttentionAnswer, type AttentionItem, type ResolveRequest } from '../contracts/attentionMessages';

/** The run (or this client, first) refused the request; the message says why. */
export class ResolveRefusedError extends Error {
  override name = 'ResolveRefusedError';
}

/** What songPipeline, pipelineRun and albumPipeline all answer to `progress`, as far as this needs it. */
interface AttentionProgress {
  needsAttention?: AttentionItem[];
  attentionAnswers?: AttentionAnswer[];
}

/** Resolves with the id of the step the run settled; rejects with ResolveRefusedError when refused. */
export async function resolveStep(handle: WorkflowHandle, request: ResolveRequest, options: { answerWithinMs?: number } = {}): Promise<string> {
  const before = await handle.query<AttentionProgress>('progress');
  const problem = resolveRequestProblem(request, before.needsAttention ?? []);
  if (problem !== undefined) throw new ResolveRefusedError(problem);
  const requestId = request.requestId ?? randomUUID();
  await handle.signal(resolveSignal, { ...request, requestId });
  const answerWithinMs = options.answerWithinMs ?? 60_000;
  const deadline = Date.now() + answerWithinMs;
  for (;;) {
    const answer = (await handle.query<AttentionProgress>('progress')).attentionAnswers?.find((a) => a.requestId === requestId);
    if (answer?.refused !== undefined) throw new ResolveRefusedError(answer.refused);
    if (answer?.stepId !== undefined) return answer.stepId;
    if (Date.now() > deadline) {
      throw new Error(`the resolve signal was sent (request ${requestId}) but the run has not answered within ${Math.round(answerWithinMs / 1000)} s; it will act on it when a worker runs it`);
    }
    await sleep(200);
  }
}
