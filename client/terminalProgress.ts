// Wiring a run's progress view to a command: `watch` (what followRun calls, not with --json) asks
// the run's progress query and shows each answer; `finish` draws the final rows from the run's
// result, so a finished step never stays on screen as the last answer the query happened to give.
import type { WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { watchProgress } from './progress';
import { terminalFor } from './terminal';
import { createRowDisplay, type RowDisplay, type RowStream } from './terminalRows';

export interface ProgressFollower<F> {
  watch(handle: WorkflowHandle, say: (line: string) => void): () => Promise<void>;
  /** The final rows; nothing happens when the progress was never watched (--json). */
  finish(final: F): void;
}

export function followProgress<P, F>(
  query: QueryDefinition<P, []>,
  everyMs: number,
  makeView: (display: RowDisplay, workflowId: string) => { show(progress: P): void; finish(final: F): void },
  stream: RowStream = process.stderr,
  /** Per watched run, what adds to each answer before it is shown (see watchProgress). */
  enrichFor?: (handle: WorkflowHandle) => (progress: P) => Promise<P>,
): ProgressFollower<F> {
  let view: { show(progress: P): void; finish(final: F): void } | undefined;
  return {
    watch(handle) {
      view = makeView(createRowDisplay(terminalFor(stream), stream), handle.workflowId);
      return watchProgress(handle, query, everyMs, (p) => view!.show(p), enrichFor?.(handle));
    },
    finish(final) {
      view?.finish(final);
    },
  };
}
