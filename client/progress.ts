// Watching a run's progress while a command waits for its result: ask the run's progress query at a
// steady pace and hand each answer to the command, which decides what is worth a line.
import type { QueryDefinition } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';

/** Asks `query` every `everyMs` and passes each answer to `show`; returns a function that stops watching. */
export function watchProgress<P>(handle: WorkflowHandle, query: QueryDefinition<P, []>, everyMs: number, show: (progress: P) => void): () => void {
  const timer = setInterval(() => {
    handle
      .query(query)
      .then(show)
      .catch(() => {
        // No answer is not news: the run may not have had its first workflow task yet, may have just
        // closed, or the server is briefly away (the result wait says so when that lasts).
      });
  }, everyMs);
  return () => clearInterval(timer);
}
