// Waiting for a run's result through Temporal server outages. The client's own retries give up after
// about 20 s without a server, but the run is safe in the server's database and goes on when it is
// back; a command that gave up would tell the user a run failed that did not. Asking again attaches
// to the same run. Failures of the run itself (and anything not about reaching the server) are
// answers, and pass through.
import { ServiceError, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { innermostMessage } from '../steps/failureMessage';

export interface OutageOptions {
  /** Called at each failed attempt to reach the server (say so once, at the first). */
  onOutage?: (error: Error, attempt: number) => void;
  /** Epoch ms after which an outage is reported as the error it is. Default: wait as long as it takes. */
  deadline?: number;
  /** Pause between attempts. Default 1 s. */
  retryDelayMs?: number;
  /**
   * Stops the waiting (a Ctrl-C, a deadline): the wait rejects instead of taking the abort for an
   * outage, and the long poll is cancelled, so the connection can be closed without a call in flight.
   */
  signal?: AbortSignal;
}

export async function resultThroughOutages<T>(handle: WorkflowHandle, options: OutageOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { signal } = options;
      return (await (signal ? handle.client.connection.withAbortSignal(signal, () => handle.result()) : handle.result())) as T;
    } catch (error) {
      if (!(error instanceof ServiceError) || options.signal?.aborted) throw error;
      if (options.deadline !== undefined && Date.now() > options.deadline) throw error;
      options.onOutage?.(error, attempt);
      await pause(options.retryDelayMs ?? 1_000, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}

/** The client gives up retrying a call after about 20 s without a server; a little more than that. */
const RETRIES_WIND_DOWN_MS = 30_000;

/**
 * Each run's result, or its failure, or "no result before the deadline", riding out outages. It
 * returns only once no result poll is left running (or after RETRIES_WIND_DOWN_MS), so the caller
 * may close the connection: the client cannot cancel a call it is retrying between attempts, and
 * its next attempt on a closed connection throws from a timer, outside any await.
 */
export async function resultsByDeadline<T>(handles: WorkflowHandle[], deadline: number): Promise<Array<T | { error: string }>> {
  // One controller per run: a signal shared by every poll collects a listener per call and warns.
  const polls = handles.map(() => new AbortController());
  const answers = handles.map((handle, i) =>
    resultThroughOutages<T>(handle, { deadline, signal: polls[i]!.signal }).catch((error: unknown) => ({
      error: error instanceof WorkflowFailedError ? innermostMessage(error) : (error as Error).message,
    })),
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ error: string }>((resolve) => {
    timer = setTimeout(() => resolve({ error: 'no result before the deadline' }), Math.max(0, deadline - Date.now()));
  });
  const results = await Promise.all(answers.map((answer) => Promise.race([answer, late])));
  clearTimeout(timer);
  for (const poll of polls) poll.abort();
  let windDown: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(answers), new Promise((resolve) => (windDown = setTimeout(resolve, RETRIES_WIND_DOWN_MS)))]);
  clearTimeout(windDown);
  return results;
}

/** The line a command prints at the first failed attempt. */
export function outageNotice(what: string): (error: Error, attempt: number) => void {
  return (_error, attempt) => {
    if (attempt === 1) process.stderr.write(`the Temporal server does not answer; ${what} is safe there, still waiting (Ctrl-C to stop waiting)\n`);
  };
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
