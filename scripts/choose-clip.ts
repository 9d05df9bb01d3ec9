// `npm run choose-clip -- <workflowId> [clipId]`: choose which clip a run under review continues with.
// Without a clip id it lists the candidates.
import { Command } from 'commander';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { connectClient, temporalTarget } from '../client/connect';
import { ConfigError, loadConfig } from '../runtime/config';
import { chooseClipUpdate, progressQuery } from '../contracts/pipelineMessages';

const program = new Command('choose-clip')
  .description('Choose the clip a song run (started with --review) continues with.')
  .argument('<workflowId>', 'the run, as printed by `npm run song`')
  .argument('[clipId]', 'the clip to keep; omit to list the candidates')
  .addHelpText('after', '\nThe same update (chooseClip, one string argument) can be sent from the Temporal UI.');

async function main(): Promise<void> {
  program.parse();
  const [workflowId, clipId] = program.args as [string, string | undefined];
  const config = loadConfig();
  const client = await connectClient(temporalTarget(config));
  try {
    const handle = client.workflow.getHandle(workflowId);
    const progress = await handle.query(progressQuery);
    if (!clipId) {
      if (progress.state !== 'awaiting-choice') {
        process.stdout.write(`${workflowId} is not waiting for a choice (state ${progress.state}${progress.chosenClipId ? `, clip ${progress.chosenClipId}` : ''})\n`);
        return;
      }
      for (const c of progress.candidates ?? []) process.stdout.write(`${c.id}  ${c.title ?? ''}  ${c.durationSeconds ?? '?'} s  ${c.audioUrl ?? ''}\n`);
      return;
    }
    const chosen = await handle.executeUpdate(chooseClipUpdate, { args: [clipId] });
    process.stdout.write(`${workflowId} continues with clip ${chosen}\n`);
  } finally {
    await client.connection.close();
  }
}

main().catch((err: Error) => {
  const message = err instanceof WorkflowUpdateFailedError ? ((err.cause as Error | undefined)?.message ?? err.message) : err.message;
  process.stderr.write(`choose-clip: ${err instanceof ConfigError ? err.message : message}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
