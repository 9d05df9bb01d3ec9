// Starting a run, or attaching to the one already there. Run ids are derived from the request, so
// the same command given twice must reach the same run instead of paying the provider again. The
// workflow is passed as the function itself (as in temporalio/samples-typescript), not by its name:
// the compiler then checks `args` against the workflow's parameters, and a renamed workflow breaks
// the build instead of a run.
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle, type WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

/** Where runs start: a client and the task queue our workers poll (a Session is one). */
export interface RunTarget {
  client: Client;
  taskQueue: string;
}

export interface RunStart<W extends Workflow> {
  handle: WorkflowHandle<W>;
  /**
   * The run id the server answered the start with: a new run, or (conflict policy USE_EXISTING) the
   * one already running. Undefined when the server refused the start because the id is taken.
   */
  firstExecutionRunId?: string;
}

/**
 * Starts `workflow` as `options.workflowId` on the target's task queue, or attaches to the run of
 * that id: a running one is used as it is (conflict policy USE_EXISTING, unless the options say
 * otherwise), and a start the server refuses because the id is taken becomes a handle to that run.
 */
export async function startOrAttach<W extends Workflow>(target: RunTarget, workflow: W, options: Omit<WorkflowStartOptions<W>, 'taskQueue'>): Promise<RunStart<W>> {
  // The spread loses the args' link to W inside this generic body; the parameter type keeps it at every call site.
  const startOptions = { workflowIdConflictPolicy: 'USE_EXISTING', ...options, taskQueue: target.taskQueue } as WorkflowStartOptions<W>;
  try {
    const handle = await target.client.workflow.start(workflow, startOptions);
    return { handle, firstExecutionRunId: handle.firstExecutionRunId };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    return { handle: target.client.workflow.getHandle<W>(options.workflowId) };
  }
}
