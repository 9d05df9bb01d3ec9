// `npm run album -- FILE [--out DIR] [--json] [--budget N]`: make an album from a manifest.
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { planAlbum } from '../album/manifest/plan';
import { ENVIRONMENT_HELP } from '../runtime/config';
import { exitWith, configOrExit, isStackMilestone, leaveRunningOnInterrupt } from '../client/cli';
import { outageNotice, resultThroughOutages } from '../client/runResult';
import { openSession } from '../client/session';
import { innermostMessage } from '../steps/failureMessage';
import { albumProgressQuery, type AlbumProgress } from '../contracts/albumMessages';
import type { AlbumPipelineInput, AlbumPipelineResult } from '../contracts/albumPipeline';
import { MusicAlbum, MusicProvider, MusicState } from '../contracts/searchAttributes';

const program = new Command('album')
  .description('Make a whole album from a YAML (or JSON) manifest, durably: one song run per track.')
  .argument('<file>', 'album manifest (see examples/)')
  .option('--out <dir>', 'output folder (default: OUT_DIR or ./out); the album goes to <out>/<album id>/')
  .option('--budget <credits>', 'refuse to start when the estimate exceeds this (overrides the manifest)', parseCredits)
  .option('--no-callbacks', 'do not ask the provider for webhooks; poll only')
  .option('--json', 'print one JSON document with every track and file', false)
  .addHelpText(
    'after',
    `
Examples:
  npm run album -- examples/rainy-day-album.yaml
  npm run album -- examples/instrumental-ep.yaml --budget 200 --json

The estimate (credits per track and step, from the price table; MUSIC_PRICES_FILE overrides it) is
printed before anything starts. Ctrl-C leaves the album running; running the same command again
attaches to it, and a finished album run again only pays for what is missing.

${ENVIRONMENT_HELP}`,
  );

function parseCredits(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('--budget takes a positive number of credits');
  return n;
}

async function main(): Promise<void> {
  program.parse();
  const [file] = program.args as [string];
  const opts = program.opts<{ out?: string; budget?: number; callbacks: boolean; json: boolean }>();
  const config = configOrExit('album');
  const planned = await planAlbum(file, config, { out: opts.out, callbacks: opts.callbacks, budget: opts.budget });
  if (!planned.ok) exitWith('album', `${file}: nothing was started:\n${planned.errors.map((e) => `  ${e}`).join('\n')}`);
  const { album, input, estimateTable } = planned.plan;
  const albumDir = input.outDir;
  const say = (line: string) => process.stderr.write(`${line}\n`);
  if (!opts.json) say(`"${album.title}" by ${album.artist}: ${album.tracks.length} tracks on ${album.provider}\n\n${estimateTable}\n`);

  const session = await openSession(config, opts.json ? () => {} : (line) => isStackMilestone(line) && say(line));
  const workflowId = `album-${album.id}`;
  const interrupted = leaveRunningOnInterrupt(session, say, `album ${workflowId} keeps its runs and`);

  try {
    const handle = await startOrAttach(session.client, session.taskQueue, workflowId, input, say);
    if (!opts.json && session.uiUrl) say(`watch it at ${session.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${workflowId}`);
    const stop = showProgress(handle, opts.json ? () => {} : say);
    let result: AlbumPipelineResult;
    try {
      result = await resultThroughOutages<AlbumPipelineResult>(handle, { onOutage: outageNotice(`album ${workflowId}`) });
    } finally {
      stop();
    }
    print(result, albumDir, opts.json);
  } catch (err) {
    if (interrupted()) return;
    const message = err instanceof WorkflowFailedError ? innermostMessage(err) : (err as Error).message;
    if (opts.json) process.stdout.write(`${JSON.stringify({ workflowId, status: 'failed', error: message }, null, 2)}\n`);
    else say(`album failed: ${message}`);
    process.exitCode = 1;
  } finally {
    if (!interrupted()) await session.close();
  }
}

async function startOrAttach(client: Awaited<ReturnType<typeof openSession>>['client'], taskQueue: string, workflowId: string, input: AlbumPipelineInput, say: (l: string) => void): Promise<WorkflowHandle> {
  try {
    const handle = await client.workflow.start('albumPipeline', {
      taskQueue,
      workflowId,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      typedSearchAttributes: [
        { key: MusicProvider, value: input.provider },
        { key: MusicAlbum, value: input.albumId },
        { key: MusicState, value: 'running' },
      ],
      staticSummary: `album "${input.title}" by ${input.artist} (${input.tracks.length} tracks, ${input.provider})`,
      staticDetails: `concurrency ${input.concurrency}, failure policy ${input.failurePolicy.mode}, persona ${input.persona.strategy}, output ${input.outDir}`,
    });
    say(`album run ${workflowId} (${handle.firstExecutionRunId})`);
    return handle;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return client.workflow.getHandle(workflowId);
  }
}

function showProgress(handle: WorkflowHandle, say: (line: string) => void): () => void {
  const last = new Map<number, string>();
  const timer = setInterval(() => {
    handle
      .query(albumProgressQuery)
      .then((p: AlbumProgress) => {
        for (const t of p.tracks) {
          const line = `${t.state}${t.attempts > 1 ? ` (attempt ${t.attempts})` : ''}${t.error ? `: ${t.error}` : ''}`;
          if (last.get(t.number) !== line) {
            last.set(t.number, line);
            say(`  ${String(t.number).padStart(2)}. ${t.title.padEnd(28)} ${line}`);
          }
        }
      })
      .catch(() => {
        // Not started yet, or just finished.
      });
  }, 1500);
  return () => clearInterval(timer);
}

function print(result: AlbumPipelineResult, albumDir: string, json: boolean): void {
  if (result.status !== 'succeeded') process.exitCode = 1;
  if (json) {
    const tracks = result.tracks.map((t) => ({
      number: t.number,
      title: t.title,
      state: t.state,
      attempts: t.attempts,
      workflowId: t.workflowId,
      creditsSpent: t.creditsSpent,
      error: t.error,
      tagged: t.tagged,
      mastered: t.mastered,
      artifacts: t.result?.artifacts.map((a) => ({ kind: a.kind, path: a.path, sha256: a.sha256, bytes: a.bytes, durationSeconds: a.durationSeconds })),
    }));
    process.stdout.write(`${JSON.stringify({ albumId: result.albumId, status: result.status, personaId: result.personaId, albumDir, creditsSpent: result.creditsSpent, files: result.files, tracks }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`\nalbum ${result.status}: ${albumDir}${result.personaId ? ` (persona ${result.personaId})` : ''}\n`);
  for (const t of result.tracks) {
    const file = t.tagged ? path.basename(t.tagged.path) : '';
    process.stdout.write(`  ${String(t.number).padStart(2)}. ${t.title.padEnd(28)} ${t.state.padEnd(9)} ${String(t.creditsSpent ?? 0).padStart(6)} credits  ${file}${t.error ? `  (${t.error})` : ''}\n`);
  }
  for (const f of result.files) process.stdout.write(`  ${f.kind.padEnd(15)} ${path.basename(f.path)}\n`);
  process.stdout.write(`  credits spent: ${result.creditsSpent}\n`);
}

main().catch((err: Error) => exitWith('album', err.message, 1));
