// `music choose-clip <workflowId> [clipId] [--json]`: choose which clip a run under review continues
// with. Without a clip id it lists the candidates.
import { Command } from 'commander';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { connectClient, temporalTarget } from '../client/connect';
import { configOrExit } from '../client/cli';
import { EXIT, badInputExitsWith2 } from '../client/exitCodes';
import { chooseClipUpdate, progressQuery } from '../contracts/pipelineMessages';

const program = badInputExitsWith2(
  new Command('choose-clip')
    .description('Choose the clip a song run (started with --review) continues with.')
    .argument('<workflowId>', 'the run, as printed by `music song` (or `music list`)')
    .argument('[clipId]', 'the clip to keep; omit to list the candidates')
    .option('--json', 'print one JSON document and nothing else on stdout', false)
    .addHelpText('after', '\nThe same update (chooseClip, one string argument) can be sent from the Temporal UI.\nExit codes: 0 done (or listed), 1 refused by the run or no server, 2 bad input.'),
);

let json = false;

function out(document: object, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(document, null, 2)}\n` : text);
}

async function main(): Promise<void> {
  program.parse();
  const [workflowId, clipId] = program.args as [string, string | undefined];
  json = program.opts<{ json: boolean }>().json;
  const config = configOrExit('choose-clip');
  const client = await connectClient(temporalTarget(config));
  try {
    const handle = client.workflow.getHandle(workflowId);
    const progress = await handle.query(progressQuery);
    if (!clipId) {
      const candidates = progress.state === 'awaiting-choice' ? (progress.candidates ?? []) : [];
      const lines =
        progress.state === 'awaiting-choice'
          ? candidates.map((c) => `${c.id}  ${c.title ?? ''}  ${c.durationSeconds ?? '?'} s  ${c.audioUrl ?? ''}\n`).join('')
          : `${workflowId} is not waiting for a choice (state ${progress.state}${progress.chosenClipId ? `, clip ${progress.chosenClipId}` : ''})\n`;
      out({ workflowId, state: progress.state, waitingForChoice: progress.state === 'awaiting-choice', chosenClipId: progress.chosenClipId, candidates }, lines);
      return;
    }
    const chosen = await handle.executeUpdate(chooseClipUpdate, { args: [clipId] });
    out({ workflowId, chosenClipId: chosen }, `${workflowId} continues with clip ${chosen}\n`);
  } finally {
    await client.connection.close();
  }
}

main().catch((err: Error) => {
  const message = err instanceof WorkflowUpdateFailedError ? ((err.cause as Error | undefined)?.message ?? err.message) : err.message;
  if (json) process.stdout.write(`${JSON.stringify({ error: message }, null, 2)}\n`);
  process.stderr.write(`choose-clip: ${message}\n`);
  process.exitCode = EXIT.failed;
});
