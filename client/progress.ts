// Watching a run's progress while a command waits for its result: ask the run's progress query at a
// steady pace and hand each answer to the command, which decides what is worth a line.
import type { QueryDefinition } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';

/**
 * Asks `query` every `everyMs` and passes each answer to `show`. Returns the function that stops
 * watching; it resolves once the query still in flight has settled. The SDK retries a query on its
 * own timers, and a retry that fires after the connection was closed throws where nothing can catch
 * it (grpc "Channel has been shut down", ending the process with exit 1 after a successful run), so
 * the connection may be closed only when the stop has resolved.
 */
export function watchProgress<P>(
  handle: WorkflowHandle,
  query: QueryDefinition<P, []>,
  everyMs: number,
  show: (progress: P) => void,
  /** Adds to each answer before it is shown (an album's track steps); inside the one question in flight, so stopping waits for it too. */
  enrich?: (progress: P) => Promise<P>,
): () => Promise<void> {
  let inFlight: Promise<void> | undefined;
  const timer = setInterval(() => {
    // One question at a time: during a server outage, unanswered queries would otherwise pile up.
    if (inFlight) return;
    inFlight = handle
      .query(query)
      .then((progress) => (enrich ? enrich(progress) : progress))
      .then(show)
      .catch(() => {
        // No answer is not news: the run may not have had its first workflow task yet, may have just
        // closed, or the server is briefly away (the result wait says so when that lasts).
      })
      .finally(() => {
        inFlight = undefined;
      });
  }, everyMs);
  return async () => {
    clearInterval(timer);
    await inFlight;
  };
}
