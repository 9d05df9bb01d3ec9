// How many songs were going at once, from the server's own record of when each track's run started
// and closed. Sampling the albums' progress queries instead undercounted on a loaded machine: a
// query that found no answer within its deadline counted what its album had last said, so a calm
// run with all 51 songs overlapping came out at 47 in CI.
import type { Client } from '@temporalio/client';

export interface RunSpan {
  startMs: number;
  /** Undefined while the run is still open. */
  closeMs?: number;
}

/** The largest number of spans open at one instant; a span closing as another starts does not overlap it. */
export function peakOverlap(spans: RunSpan[], nowMs: number): number {
  const edges = spans.flatMap((s) => [
    { at: s.startMs, change: 1 },
    { at: s.closeMs ?? nowMs, change: -1 },
  ]);
  // Closes before opens at the same instant.
  edges.sort((a, b) => a.at - b.at || a.change - b.change);
  let open = 0;
  let peak = 0;
  for (const edge of edges) {
    open += edge.change;
    peak = Math.max(peak, open);
  }
  return peak;
}

/** Peak of track runs in flight at once among the given workflow ids (every run of each, retries included). */
export async function peakRunsInFlight(client: Client, workflowIds: Iterable<string>): Promise<number> {
  const wanted = new Set(workflowIds);
  const spans: RunSpan[] = [];
  for await (const run of client.workflow.list()) {
    if (!wanted.has(run.workflowId)) continue;
    spans.push({ startMs: run.startTime.getTime(), closeMs: run.closeTime?.getTime() });
  }
  return peakOverlap(spans, Date.now());
}
