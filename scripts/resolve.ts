// `npm run resolve -- <workflowId> --task-id ID | --resubmit | --abandon [--step S]`: settle a step
// whose submit outcome is unknown (the run waits in MusicState "needs-attention" until then).
import { Command } from 'commander';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { connectClient, temporalTarget } from '../client/connect';
import { ConfigError, loadConfig } from '../runtime/config';
import { resolveUpdate, type ResolveRequest } from '../contracts/attentionMessages';
import { progressQuery } from '../contracts/pipelineMessages';

const program = new Command('resolve')
  .description('Resolve a step that needs attention because the provider may or may not have created its task.')
  .argument('<workflowId>', 'the run, as printed by `npm run song`')
  .option('--step <stepId>', 'which step, when several need attention')
  .option('--task-id <id>', "the provider task id, as the provider's dashboard shows it: the run continues with it")
  .option('--resubmit', 'submit again (the provider may charge twice)')
  .option('--abandon', 'give the step up; it fails with a message that says so')
  .addHelpText(
    'after',
    '\nWithout an action it lists what the run is waiting for. The same update (resolve, one object argument\n{ stepId?, taskId? | resubmit? | abandon? }) can be sent from the Temporal UI.',
  );

async function main(): Promise<void> {
  program.parse();
  const [workflowId] = program.args as [string];
  const opts = program.opts<{ step?: string; taskId?: string; resubmit?: boolean; abandon?: boolean }>();
  const actions = [opts.taskId !== undefined, opts.resubmit === true, opts.abandon === true].filter(Boolean).length;
  if (actions > 1) throw new ConfigError('give only one of --task-id, --resubmit, --abandon');
  const config = loadConfig();
  const client = await connectClient(temporalTarget(config));
  try {
    const handle = client.workflow.getHandle(workflowId);
    if (actions === 0) {
      const waiting = (await handle.query(progressQuery)).needsAttention ?? [];
      if (waiting.length === 0) process.stdout.write(`${workflowId}: no step needs attention\n`);
      for (const w of waiting) process.stdout.write(`${w.stepId}: ${w.reason}\n`);
      return;
    }
    const request: ResolveRequest = { stepId: opts.step, taskId: opts.taskId, resubmit: opts.resubmit, abandon: opts.abandon };
    const step = await handle.executeUpdate(resolveUpdate, { args: [request] });
    process.stdout.write(`${workflowId}: step ${step} resolved\n`);
  } finally {
    await client.connection.close();
  }
}

main().catch((err: Error) => {
  const message = err instanceof WorkflowUpdateFailedError ? ((err.cause as Error | undefined)?.message ?? err.message) : err.message;
  process.stderr.write(`resolve: ${message}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
