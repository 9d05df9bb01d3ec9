// `npm run pipeline -- FILE`: run a pipeline definition (YAML or JSON) and print where its files are.
import path from 'node:path';
import { Command, Option } from 'commander';
import type { WorkflowHandle } from '@temporalio/client';
import { configOrExit, exitWith, stackLogFor } from '../client/cli';
import { badInputExitsWith2, exitCodeForState } from '../client/exitCodes';
import { followRun } from '../client/followRun';
import { outputFolderProblem } from '../client/outputFolder';
import { pipelineView } from '../client/progressLines';
import { followProgress } from '../client/terminalProgress';
import { creditsLine, reusedFileCount, reuseLine, runCredits } from '../client/terminalSummary';
import { loadPriceTable } from '../providers/priceFile';
import type { PriceTable } from '../providers/prices';
import { startOrAttach } from '../client/runs';
import { openSession, type Session } from '../client/session';
import { progressQuery } from '../contracts/pipelineMessages';
import type { PipelinePlan, PipelineRunInput, PipelineRunResult } from '../contracts/pipelinePlan';
import { MusicProvider, MusicState, MusicStep } from '../contracts/searchAttributes';
import { stringify } from 'yaml';
import { loadPipelineFile, planPipeline, type PlanResult } from '../pipeline/definition/load';
import { songDefinition } from '../song/songDefinition';
import { pipelineRun } from '../pipeline/pipelineRun';
import { PROVIDER_NAMES, type ProviderName } from '../providers/model';
import { ENVIRONMENT_HELP } from '../runtime/config';
import { shortHash } from '../runtime/slug';

const program = new Command('pipeline')
  .description('Run a pipeline definition: named provider steps, each reading earlier steps, durably, with every file verified.')
  .argument('[file]', 'the definition (YAML or JSON); see examples/pipelines/')
  .addOption(new Option('--builtin <name>', 'a built-in definition instead of a file: song (what npm run song runs)').choices(['song']))
  .option('--print', 'print the definition (the file, or --builtin) as YAML to copy and change; start nothing', false)
  .addOption(new Option('--provider <name>', "provider to use (default: the definition's, then MUSIC_PROVIDER, then anyint)").choices(PROVIDER_NAMES))
  .option('--out <dir>', 'output folder (default: OUT_DIR or ./out); the files land in <out>/pipelines/<run id>/')
  .option('--check', 'check the definition against the provider and print the plan; start nothing', false)
  .option('--review <minutes>', 'how long a step with `choose: review` waits for npm run choose-clip before taking the first clip (default 30)', parseMinutes)
  .option('--no-callbacks', 'do not ask the provider for webhooks; poll only')
  .addOption(
    new Option('--on-unknown-submit <policy>', 'when a submit got no answer: wait for `npm run resolve` (never pays twice), or resubmit (may pay twice)')
      .choices(['wait', 'resubmit'])
      .default('wait'),
  )
  .option('--json', 'print one JSON document (workflowId, status, steps, artifacts) and nothing else on stdout', false)
  .option('--verbose', "also show the embedded stack's log (simulator requests, callbacks)", false)
  .addHelpText(
    'after',
    `
Examples:
  npm run pipeline -- examples/pipelines/full-length-song.yaml
  npm run pipeline -- examples/pipelines/cover-my-demo.yaml --check
  npm run pipeline -- my.yaml --provider acedata --json
  npm run pipeline -- --builtin song --print --provider cqt > my-song.yaml

Every problem of a definition is listed with its path (steps.extend.continueAt: ...) and nothing starts
until there are none. Running the same definition again attaches to its run, or reuses every step whose
files are intact and pays only for the rest. Steps and their kinds: docs/pipelines.md.

${ENVIRONMENT_HELP}`,
  );

interface Options {
  builtin?: 'song';
  print: boolean;
  provider?: ProviderName;
  out?: string;
  check: boolean;
  review?: number;
  callbacks: boolean;
  onUnknownSubmit: 'wait' | 'resubmit';
  json: boolean;
  verbose: boolean;
}

function parseMinutes(value: string): number {
  const minutes = Number(value);
  if (!Number.isFinite(minutes) || minutes < 0 || minutes > 7 * 24 * 60) throw new Error('--review takes a number of minutes from 0 to 10080');
  return minutes;
}

async function main(): Promise<void> {
  badInputExitsWith2(program).parse();
  const [given] = program.args as [string | undefined];
  const opts = program.opts<Options>();
  if (given !== undefined && opts.builtin) exitWith('pipeline', 'give a definition file or --builtin, not both');
  if (given === undefined && !opts.builtin) exitWith('pipeline', 'give a definition file (see examples/pipelines/) or --builtin song');
  if (opts.builtin && !opts.print && !opts.check) {
    exitWith('pipeline', '--builtin song is what `npm run song` runs: use that, or print it (--print > my.yaml), change it and run your copy');
  }
  const file = given ?? `(built-in ${opts.builtin})`;
  const config = configOrExit('pipeline');
  const planned = given !== undefined ? await loadPipelineFile(given, { provider: opts.provider, defaultProvider: config.provider }) : await builtinPlan(opts.provider ?? config.provider);
  if (planned.ok && opts.print) {
    process.stdout.write(printable(planned.definition, given === undefined));
    return;
  }
  if (!planned.ok) {
    process.stderr.write(`pipeline: ${file} has ${planned.errors.length} problem${planned.errors.length === 1 ? '' : 's'}; nothing was started:\n`);
    for (const line of planned.errors) process.stderr.write(`  ${line}\n`);
    process.exit(2);
  }
  const { plan } = planned;
  // The id (and folder) name the definition's content: the same definition attaches to its run.
  const workflowId = `pipeline-${plan.name}-${shortHash(plan)}`;
  const outDir = path.resolve(opts.out ?? config.outDir, 'pipelines', workflowId);
  if (opts.check) {
    printPlan(plan, workflowId, outDir, opts.json);
    return;
  }
  const problem = await outputFolderProblem(outDir, opts.out !== undefined ? '--out' : 'OUT_DIR', config);
  if (problem) exitWith('pipeline', problem);
  const input: PipelineRunInput = {
    plan,
    outDir,
    callbacks: opts.callbacks && config.callbacks.enabled,
    reviewTimeoutMs: opts.review === undefined ? undefined : opts.review * 60_000,
    onAmbiguousSubmit: opts.onUnknownSubmit,
  };

  const prices = await loadPriceTable().catch((err: Error) => exitWith('pipeline', err.message));
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const session = await openSession(config, stackLogFor(say, opts));
  const progress = followProgress(progressQuery, 1000, (display, id) => pipelineView(id, display));
  await followRun(session, {
    workflowId,
    start: () => startPipeline(session, workflowId, input, say),
    watch: (handle, show) => progress.watch(handle, show),
    print: (result) => {
      progress.finish(result.steps);
      printResult(result, opts.json, prices);
    },
    outageSubject: `run ${workflowId}`,
    interruptSubject: `run ${workflowId} is kept and`,
    uiLink: true,
    failure: { tellAs: 'pipeline' },
    json: opts.json,
    say,
  });
}

async function startPipeline(session: Session, workflowId: string, input: PipelineRunInput, say: (line: string) => void): Promise<WorkflowHandle<typeof pipelineRun>> {
  const { plan } = input;
  const { handle, firstExecutionRunId } = await startOrAttach(session, pipelineRun, {
    workflowId,
    args: [input],
    // A finished run may run again: it reuses every step whose files are intact (pipeline.json).
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [
      { key: MusicProvider, value: plan.provider },
      { key: MusicStep, value: 'queued' },
      { key: MusicState, value: 'running' },
    ],
    staticSummary: `${plan.provider}: pipeline ${plan.name} (${plan.steps.length} steps)`,
    staticDetails: plan.steps.map((s) => `${s.name}: ${s.kind}${s.after.length > 0 ? ` ← ${s.after.join(', ')}` : ''}`).join('\n'),
  });
  say(firstExecutionRunId ? `run ${workflowId} (${firstExecutionRunId})` : `run ${workflowId} exists: attaching`);
  return handle;
}

/** The built-in song definition with a prompt to replace: what `npm run song --prompt ...` runs on this provider. */
function builtinPlan(provider: ProviderName): Promise<PlanResult> {
  const definition = songDefinition({ provider, request: { prompt: 'describe your song here', instrumental: false } });
  return planPipeline(definition, { provider });
}

function printable(definition: object, builtin: boolean): string {
  const header = builtin
    ? [
        '# The built-in song pipeline, as `npm run song` runs it with its default steps on the provider',
        '# it was printed for (--provider, MUSIC_PROVIDER). Change the prompt (add title, style, lyrics or',
        '# lyricsFile), drop or add steps, then run it: npm run pipeline -- my-song.yaml',
        '# As an album\'s `pipeline:`, remove the prompts: each track fills in its prompt, title, style, lyrics.',
        '',
      ].join('\n')
    : '';
  // A built-in names no provider, so the copy runs wherever it is asked to (an album's, --provider).
  const shown = builtin ? Object.fromEntries(Object.entries(definition).filter(([key]) => key !== 'provider')) : definition;
  return `${header}${stringify(shown, { lineWidth: 0 })}`;
}

function printPlan(plan: PipelinePlan, workflowId: string, outDir: string, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ workflowId, outDir, plan }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${plan.name} on ${plan.provider}: ${plan.steps.length} steps, ${plan.concurrency} at a time, files in ${outDir}\n`);
  for (const step of plan.steps) {
    const reads = step.after.length > 0 ? ` ← ${step.after.join(', ')}` : step.inputs.audioFile ? ` ← ${step.inputs.audioFile}` : '';
    process.stdout.write(`  ${step.name.padEnd(16)} ${step.kind.padEnd(18)}${reads}${step.keep ? '' : '  (files not kept)'}\n`);
  }
}

function printResult(result: PipelineRunResult, json: boolean, prices: PriceTable): void {
  const creditsSpent = runCredits(result.steps, prices, result.provider);
  const reusedFiles = reusedFileCount(result.steps, result.artifacts);
  process.exitCode = exitCodeForState(result.status);
  const artifacts = result.artifacts.map((a) => ({ kind: a.kind, path: a.path, sha256: a.sha256, bytes: a.bytes, ...(a.durationSeconds ? { durationSeconds: a.durationSeconds } : {}) }));
  if (json) {
    const { workflowId, runId, status, name, provider, outDir, failedSteps, reusedSteps } = result;
    const steps = result.steps.map((s) => ({ step: s.stepId, kind: s.kind, state: s.state, ...(s.taskId ? { taskId: s.taskId } : {}), ...(s.reused ? { reused: true } : {}), ...(s.error ? { error: s.error } : {}) }));
    process.stdout.write(`${JSON.stringify({ workflowId, runId, status, name, provider, outDir, creditsSpent, reusedFiles, steps, failedSteps, reusedSteps, artifacts }, null, 2)}\n`);
    return;
  }
  const headline = result.status === 'succeeded' ? 'is done' : result.status === 'partial' ? `is done except ${result.failedSteps.map((f) => f.step).join(', ')}` : 'failed';
  process.stdout.write(`\npipeline ${result.name} ${headline}: ${result.outDir}\n`);
  if (result.reusedSteps.length > 0) process.stdout.write(`  reused from an earlier run (nothing paid): ${result.reusedSteps.join(', ')}\n`);
  for (const a of artifacts) {
    const duration = a.durationSeconds ? ` ${a.durationSeconds.toFixed(1)} s` : '';
    process.stdout.write(`  ${a.kind.padEnd(9)} ${path.relative(result.outDir, a.path).padEnd(28)} ${String(a.bytes).padStart(9)} bytes${duration.padEnd(8)}  sha256 ${a.sha256.slice(0, 16)}…\n`);
  }
  for (const s of result.steps.filter((s) => s.state === 'skipped')) process.stdout.write(`  SKIPPED  ${s.stepId}: ${s.error ?? ''}\n`);
  for (const f of result.failedSteps) process.stdout.write(`  FAILED   ${f.step}: ${f.error}\n`);
  const reuse = reuseLine(reusedFiles, creditsSpent);
  if (reuse) process.stdout.write(`  ${reuse}\n`);
  process.stdout.write(`  ${creditsLine(creditsSpent)}\n`);
}

main().catch((err: Error) => exitWith('pipeline', err.message, 1));
