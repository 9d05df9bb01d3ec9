// What `npm run song`, `album` and `batch` do once they have a session: start (or attach to) the run,
// show its progress while waiting for the result through server outages, print the result, tell a
// failure as text or as the --json document, and close what the session started. Ctrl-C or SIGTERM
// leaves the run going and stops only what this command started (client/cli.ts says how).
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Workflow, WorkflowResultType } from '@temporalio/common';
import { innermostMessage } from '../steps/failureMessage';
import { leaveRunningOnInterrupt } from './cli';
import { outageNotice, resultThroughOutages } from './runResult';
import type { Session } from './session';

export interface FollowRunOptions<W extends Workflow> {
  workflowId: string;
  /** Starts or attaches to the run (and says which); see startOrAttach in client/runs.ts. */
  start: () => Promise<WorkflowHandle<W>>;
  /** Starts watching progress, printing with `say`; returns the function that stops it (see watchProgress). Not called with --json. */
  watch?: (handle: WorkflowHandle<W>, say: (line: string) => void) => () => Promise<void>;
  /** Prints the run's result (and sets the exit code for a result that is not a success). */
  print: (result: WorkflowResultType<W>) => void;
  /** The run as the outage notice names it, e.g. `run song-rain-1a2b3c`. */
  outageSubject: string;
  /** Completes the Ctrl-C line "interrupted: <this> continues …", e.g. `run song-rain-1a2b3c is kept and`. */
  interruptSubject: string;
  /** Print a link to the run in the Temporal UI of the stack this command started (song and album do). */
  uiLink?: boolean;
  /**
   * A run that failed, or could not be started or waited for: `{ tellAs: 'song' }` prints
   * `song failed: <message>` (with --json, `{ workflowId, status: "failed", error }` on stdout) and
   * sets exit code 1; 'rethrow' leaves the telling to the caller.
   */
  failure: { tellAs: string } | 'rethrow';
  json: boolean;
  /** Where progress and notices go (stderr: stdout is the result's). */
  say: (line: string) => void;
}

export async function followRun<W extends Workflow>(session: Session, options: FollowRunOptions<W>): Promise<void> {
  const { workflowId, json, say } = options;
  // Every request this command makes runs under one abort signal, the progress queries included (their
  // timers inherit it). A signal aborts them all and waits for them to settle before the connection
  // closes: a request still retrying on a closed connection throws where nothing can catch it
  // (grpc "Channel has been shut down", printed as a stack trace).
  const abort = new AbortController();
  let stopWatching: () => Promise<void> = async () => {};
  let closing: Promise<void> | undefined;
  const closeSession = () => (closing ??= session.close());
  let following: Promise<void> = Promise.resolve();
  const where = session.started === 'nothing' ? 'continues on the running worker' : 'continues the next time a worker runs';
  const signals = leaveRunningOnInterrupt(say, options.interruptSubject, where, async () => {
    abort.abort();
    await stopWatching();
    await following.catch(() => {});
    await closeSession();
  });
  const { interrupted } = signals;

  const follow = async (): Promise<void> => {
    const handle = await options.start();
    if (options.uiLink && !json && session.uiUrl) say(`watch it at ${session.uiUrl}/namespaces/${session.client.options.namespace}/workflows/${workflowId}`);
    if (options.watch && !json) stopWatching = options.watch(handle, say);
    let result: WorkflowResultType<W>;
    try {
      result = await resultThroughOutages<WorkflowResultType<W>>(handle, { onOutage: outageNotice(options.outageSubject), signal: abort.signal });
    } finally {
      // Before the session closes its connection (see above).
      await stopWatching();
    }
    options.print(result);
  };

  try {
    following = session.client.connection.withAbortSignal(abort.signal, follow);
    await following;
  } catch (error) {
    // The wait was cut short by a signal, not by the run: the interrupt handler has said what happens.
    if (interrupted()) return await new Promise<void>(() => {}); // the handler exits the process
    if (options.failure === 'rethrow') {
      await closeSession();
      signals.release();
      throw error;
    }
    const message = error instanceof WorkflowFailedError ? innermostMessage(error) : (error as Error).message;
    if (json) process.stdout.write(`${JSON.stringify({ workflowId, status: 'failed', error: message }, null, 2)}\n`);
    else say(`${options.failure.tellAs} failed: ${message}`);
    process.exitCode = 1;
  }
  if (interrupted()) return await new Promise<void>(() => {});
  await closeSession();
  signals.release();
}
