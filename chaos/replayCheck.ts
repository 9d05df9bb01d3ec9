// Every run of a chaos phase, replayed against the code that ran it. A run that cannot replay
// works only while one worker keeps it cached: the next worker that takes it (after a kill, a
// deploy, a sticky timeout) fails every workflow task on it, and the song waits for ever. The
// albums can still finish in the phase itself, so this is checked on its own: a chaos run with
// ten kills once finished "OK" while three of its nine songs could not have been replayed.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';

/** `<workflowId>/<runId>` and that run's history. */
export interface RunHistory {
  workflowId: string;
  history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
}

export interface ReplayCheck {
  /** Runs replayed (every run in the namespace, slot workflows included). */
  replayed: number;
  /** `<workflowId>/<runId>: <first line of the error>` for each run that did not replay. */
  failed: string[];
}

/** Every run in the namespace with its history (slot workflows and earlier runs of a workflow included). */
export async function everyRunHistory(client: Client): Promise<RunHistory[]> {
  const histories: RunHistory[] = [];
  for await (const run of client.workflow.list()) {
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    histories.push({ workflowId: `${run.workflowId}/${run.runId}`, history });
  }
  return histories;
}

export async function replayEveryRun(histories: RunHistory[], workflowBundlePath: string): Promise<ReplayCheck> {
  const failed: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: workflowBundlePath }, replayName: 'chaos-replay-check' }, histories)) {
    if (result.error) failed.push(`${result.workflowId}: ${String(result.error.message ?? result.error).split('\n')[0]!.slice(0, 300)}`);
  }
  return { replayed: histories.length, failed };
}
