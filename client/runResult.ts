// Waiting for a run's result through Temporal server outages. The client's own retries give up after
// about 20 s without a server, but the run is safe in the server's database and goes on when it is
// back; a command that gave up would tell the user a run failed that did not. Asking again attaches
// to the same run. Failures of the run itself (and anything not about reaching the server) are
// answers, and pass through.
import { ServiceError, type WorkflowHandle } from '@temporalio/client';

export interface OutageOptions {
  /** Called at each failed attempt to reach the server (say so once, at the first). */
  onOutage?: (error: Error, attempt: number) => void;
  /** Epoch ms after which an outage is reported as the error it is. Default: wait as long as it takes. */
  deadline?: number;
  /** Pause between attempts. Default 1 s. */
  retryDelayMs?: number;
  /** Stops the waiting (a Ctrl-C): the wait rejects instead of taking the abort for an outage. */
  signal?: AbortSignal;
}

export async function resultThroughOutages<T>(handle: WorkflowHandle, options: OutageOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await handle.result()) as T;
    } catch (error) {
      if (!(error instanceof ServiceError) || options.signal?.aborted) throw error;
      if (options.deadline !== undefined && Date.now() > options.deadline) throw error;
      options.onOutage?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 1_000));
    }
  }
}

/** The line a command prints at the first failed attempt. */
export function outageNotice(what: string): (error: Error, attempt: number) => void {
  return (_error, attempt) => {
    if (attempt === 1) process.stderr.write(`the Temporal server does not answer; ${what} is safe there, still waiting (Ctrl-C to stop waiting)\n`);
  };
}
