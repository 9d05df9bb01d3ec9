// What a client script needs before it can start a run: a Temporal server and a worker polling our
// task queue. If `npm start` (or any deployment) already provides both, the script only connects.
// Otherwise it starts what is missing for the length of the command; runs are kept in the dev
// server's database, so a run interrupted here continues the next time anything starts a worker.
//
// The stack (dev server, simulator, callback endpoint, worker: over a hundred modules) is imported
// only when this session has to start it, so a command that only connects loads none of it.
import type { Client } from '@temporalio/client';
import type { Config } from '../runtime/config';
import { isTemporalReachable } from '../runtime/devServer';
import type { RunningStack, StackOptions } from '../stack/stack';
import { connectClient, temporalTarget } from './connect';

export interface Session {
  client: Client;
  taskQueue: string;
  /** What this process started (and will stop): nothing, a worker, or the whole stack. */
  started: 'nothing' | 'worker' | 'stack';
  uiUrl?: string;
  close(): Promise<void>;
}

/** The only way this file reaches the stack: a dynamic import, loaded when a stack must start. */
async function startStackLazily(options: StackOptions): Promise<RunningStack> {
  const { startStack } = await import('../stack/stack');
  return startStack(options);
}

async function hasWorkers(client: Client, namespace: string, taskQueue: string): Promise<boolean> {
  const answer = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
  });
  return (answer.pollers ?? []).length > 0;
}

export async function openSession(config: Config, log: (line: string) => void, stackOverrides: Partial<StackOptions> = {}): Promise<Session> {
  const target = temporalTarget(config);
  const { address } = target;
  const { namespace: _namespace, ...connection } = target;
  const reachable = await isTemporalReachable(connection);
  if (!reachable && config.temporal.address) {
    throw new Error(`no Temporal server answers at ${address} (TEMPORAL_ADDRESS); start it, or unset TEMPORAL_ADDRESS to use the embedded dev server`);
  }
  if (!reachable) {
    log('no Temporal server is running: starting the embedded stack for this command');
    const stack = await startStackLazily({ config, log, ...stackOverrides });
    return { client: stack.client, taskQueue: stack.taskQueue, started: 'stack', uiUrl: stack.uiUrl, close: stack.stop };
  }

  const client = await connectClient(target);
  if (await hasWorkers(client, config.temporal.namespace, config.temporal.taskQueue)) {
    log(`using the worker already polling ${config.temporal.taskQueue} at ${address}: provider URLs and keys are that worker's settings`);
    return { client, taskQueue: config.temporal.taskQueue, started: 'nothing', close: () => client.connection.close() };
  }
  log(`no worker polls task queue ${config.temporal.taskQueue}: starting one for this command`);
  const stack = await startStackLazily({ config: { ...config, temporal: { ...config.temporal, address } }, log, ...stackOverrides });
  return {
    client: stack.client,
    taskQueue: stack.taskQueue,
    started: 'worker',
    close: async () => {
      await stack.stop();
      await client.connection.close();
    },
  };
}
