// `music resolve <workflowId> --task-id ID | --persona-id ID | --resubmit | --abandon [--step S] [--json]`: settle a
// step whose submit outcome is unknown (the run waits in MusicState "needs-attention" until then).
import { Command } from 'commander';
import { connectClient, temporalTarget } from '../client/connect';
import { configOrExit, exitWith } from '../client/cli';
import { EXIT, badInputExitsWith2 } from '../client/exitCodes';
import type { ResolveRequest } from '../contracts/attentionMessages';
import { resolveStep } from '../client/resolveStep';
import { progressQuery } from '../contracts/pipelineMessages';

const program = badInputExitsWith2(
  new Command('resolve')
    .description('Resolve a step that needs attention because the provider may or may not have created its task.')
    .argument('<workflowId>', 'the run, as printed by `music song` (or `music status`)')
    .option('--step <stepId>', 'which step, when several need attention')
    .option('--task-id <id>', "the provider task id, as the provider's dashboard shows it: the run continues with it")
    .option('--persona-id <id>', "for a persona step: the persona id the provider's records show (the answer came in the submit itself, so there is no task to read back)")
    .option('--resubmit', 'submit again (the provider may charge twice)')
    .option('--abandon', 'give the step up; it fails with a message that says so')
    .option('--json', 'print one JSON document and nothing else on stdout', false)
    .addHelpText(
      'after',
      '\nWithout an action it lists what the run is waiting for (exit 4 while a step needs attention, 0 when none does).\nThe same signal (resolve, one object argument { stepId?, taskId? | personaId? | resubmit? | abandon? }) can be sent from the Temporal UI; the run\'s answer shows in its progress query (attentionAnswers).',
    ),
);

let json = false;

function out(document: object, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(document, null, 2)}\n` : text);
}

async function main(): Promise<void> {
  program.parse();
  const [workflowId] = program.args as [string];
  const opts = program.opts<{ step?: string; taskId?: string; personaId?: string; resubmit?: boolean; abandon?: boolean; json: boolean }>();
  json = opts.json;
  const actions = [opts.taskId !== undefined, opts.personaId !== undefined, opts.resubmit === true, opts.abandon === true].filter(Boolean).length;
  if (actions > 1) exitWith('resolve', 'give only one of --task-id, --persona-id, --resubmit, --abandon', EXIT.badInput);
  const config = configOrExit('resolve');
  const client = await connectClient(temporalTarget(config));
  try {
    const handle = client.workflow.getHandle(workflowId);
    if (actions === 0) {
      const waiting = (await handle.query(progressQuery)).needsAttention ?? [];
      out({ workflowId, needsAttention: waiting }, waiting.length === 0 ? `${workflowId}: no step needs attention\n` : waiting.map((w) => `${w.stepId}${w.kind ? ` (${w.kind})` : ''}: ${w.reason}\n`).join(''));
      process.exitCode = waiting.length > 0 ? EXIT.needsAttention : EXIT.success;
      return;
    }
    const request: ResolveRequest = { stepId: opts.step, taskId: opts.taskId, personaId: opts.personaId, resubmit: opts.resubmit, abandon: opts.abandon };
    const step = await resolveStep(handle, request);
    const action = opts.taskId !== undefined ? 'task-id' : opts.personaId !== undefined ? 'persona-id' : opts.resubmit ? 'resubmit' : 'abandon';
    out({ workflowId, resolved: step, action }, `${workflowId}: step ${step} resolved\n`);
  } finally {
    await client.connection.close();
  }
}

main().catch((err: Error) => {
  const message = err.message;
  if (json) process.stdout.write(`${JSON.stringify({ error: message }, null, 2)}\n`);
  process.stderr.write(`resolve: ${message}\n`);
  process.exitCode = EXIT.failed;
});
