// `npm run chaos`: make albums twice with the same simulator seed — once calmly, once while the
// worker is killed, the dev server restarted, providers fail in every way and callbacks are forged —
// then check that nothing was paid twice, nothing was lost, and the files are the same.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { planAlbum } from '../album/manifest/plan';
import { runAlbumPhase, writeWorkflowBundle, type PhaseReport } from '../chaos/albumPhase';
import { auditTrackManifests, compareOutputs } from '../chaos/artifactAudit';
import { loadConfig } from '../runtime/config';
import { exitWith } from '../client/cli';
import { projectRoot } from '../runtime/projectPaths';
import { CALLBACK_FAULTS, REQUEST_FAULTS, type StageDelaysMs } from '../simulator';
import type { AlbumPipelineInput } from '../contracts/albumPipeline';
import { PROVIDER_NAMES } from '../providers/model';

const DEFAULT_MANIFESTS = ['examples/rainy-day-album.yaml', 'examples/instrumental-ep.yaml'];
// Query faults are the network's (slow, down, cut), not a provider refusing to show a task it made.
const QUERY_FAULTS = ['throttled', 'unavailable', 'cut', 'hang'] as const;

function count(label: string, { min = 0 } = {}) {
  return (raw: string): number => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(value) || value < min) throw new InvalidArgumentError(`${label} must be a whole number >= ${min}`);
    return value;
  };
}

function rate(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !(value >= 0 && value <= 1)) throw new InvalidArgumentError('must be between 0 and 1');
  return value;
}

function slowdownLimit(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !(value >= 0)) throw new InvalidArgumentError('must be a number >= 0 (0: do not check)');
  return value;
}

function stageDelays(raw: string): StageDelaysMs {
  const [text, first, complete, ...rest] = raw.split(',').map((part) => Number(part.trim()));
  if (rest.length > 0 || text === undefined || first === undefined || complete === undefined || ![text, first, complete].every((d) => d >= 0) || !(text <= first && first <= complete)) {
    throw new InvalidArgumentError('expected text,first,complete milliseconds, non-negative and in that order');
  }
  return { text, first, complete };
}

const program = new Command('chaos')
  .description(
    'Make albums twice with the same simulator seed: once calmly (the baseline), once under faults, and compare.\n' +
      'Faults: worker SIGKILLs, dev-server restarts (data kept), provider errors of every class, hung and cut\n' +
      'submits, duplicated/late/reordered/lost webhooks, and forged callbacks. Prints a table and exits 1 if a\n' +
      'paid submit was made twice (or the faults cost more submits than the calm run, beyond answers bought again\n' +
      'knowingly because the provider keeps no record of them), an artifact was lost or differs, a run did not\n' +
      'succeed, a run\'s history does not replay against the code, or the faulted run took more than 4 times\n' +
      'the calm run.',
  )
  .argument('[manifests...]', 'album manifests to make', DEFAULT_MANIFESTS)
  .option('--kills <n>', 'most worker SIGKILLs (they stop once the albums are done)', count('--kills'), 6)
  .option('--restarts <n>', 'most dev-server stop/start cycles', count('--restarts'), 2)
  .option('--forgeries <n>', 'forged callbacks to send', count('--forgeries'), 350)
  .option('--fault-rate <p>', 'share of provider requests that get a fault', rate, 0.15)
  .option('--callback-fault-rate <p>', 'share of webhooks delivered with a fault', rate, 0.5)
  .addOption(new Option('--webhook-fault-rate <p>', 'the same as --callback-fault-rate (the table calls them webhook faults)').argParser(rate))
  .option('--seed <seed>', 'simulator seed (the same in both runs)', 'chaos')
  .addOption(new Option('--stage-delays <text,first,complete>', 'simulated task durations in ms').argParser(stageDelays).default({ text: 1000, first: 2000, complete: 3000 }, '1000,2000,3000'))
  .option('--copies <n>', 'make each album this many times (own album ids), for a run at scale', count('--copies', { min: 1 }), 1)
  .option('--concurrency <n>', "tracks of an album made at once (default: each manifest's own)", count('--concurrency', { min: 1 }))
  .option('--max-running-tasks <n>', "the worker's most running tasks per provider (default: the worker's own); raise it at scale", count('--max-running-tasks', { min: 1 }))
  .option('--clip-seconds <n>', 'length of the clips the simulator renders (shorter: less ffmpeg work at scale)', count('--clip-seconds', { min: 1 }), 6)
  .option('--provider-timeout <seconds>', "how long the worker waits for a provider's answer before a submit's outcome is unknown (raise it when the simulator is slow at scale)", count('--provider-timeout', { min: 1 }), 5)
  .option('--max-slowdown <x>', 'fail when the faulted run takes more than this many times the calm run (0: do not check)', slowdownLimit, 4)
  .option('--timeout <minutes>', 'give up on a run after this long', count('--timeout', { min: 1 }), 20)
  .option('--workers <n>', 'worker processes serving at once, in both runs; each kill takes one, and the others go on serving', count('--workers', { min: 1 }), 1)
  .option('--cold-worker-starts', 'replace a killed worker by starting a new one from nothing (2-3 s idle, 15 s and more under load) instead of activating a warm spare')
  .option('--keep', 'keep the work folder (databases, worker logs, simulator state, both outputs) and print where it is; kept anyway when a guarantee does not hold')
  .option('--json', 'print the figures as JSON instead of a table')
  .option('--quiet', 'no progress lines, only the result')
  .addHelpText('after', '\nExamples:\n  npm run chaos\n  npm run chaos -- examples/instrumental-ep.yaml --kills 3 --restarts 1 --fault-rate 0.3\n  npm run chaos -- --workers 2 --kills 10   # two workers, as a deployment runs them: one killed at a time');

interface Options {
  kills: number;
  restarts: number;
  forgeries: number;
  faultRate: number;
  callbackFaultRate: number;
  webhookFaultRate?: number;
  seed: string;
  stageDelays: StageDelaysMs;
  timeout: number;
  copies: number;
  concurrency?: number;
  maxRunningTasks?: number;
  clipSeconds: number;
  maxSlowdown: number;
  providerTimeout: number;
  workers: number;
  coldWorkerStarts?: boolean;
  keep?: boolean;
  json?: boolean;
  quiet?: boolean;
}

async function planAlbums(files: string[], scale: { copies: number; concurrency?: number }): Promise<AlbumPipelineInput[]> {
  const config = loadConfig({});
  const inputs: AlbumPipelineInput[] = [];
  for (const file of files) {
    const planned = await planAlbum(path.resolve(projectRoot(), file), config, { out: 'unused', callbacks: true });
    if (!planned.ok) exitWith('chaos', `${file}: nothing was started:\n${planned.errors.map((e) => `  ${e}`).join('\n')}`);
    for (let copy = 1; copy <= scale.copies; copy++) {
      const input = planned.plan.input;
      inputs.push({
        ...input,
        // Each copy is an album of its own: its own runs, folder and provider tasks.
        albumId: copy === 1 ? input.albumId : `${input.albumId}-c${copy}`,
        concurrency: scale.concurrency ?? input.concurrency,
        // A prompt and style of their own per copy: the simulator numbers identical requests in the
        // order they arrive, which differs between the calm and the faulted run, so identical copies
        // would get each other's clips and their files would differ for no fault of ours. The style
        // too: an anyint instrumental goes in custom mode, title and style without the prompt, and
        // chaos:scale's eight interludes took each other's clips.
        tracks: copy === 1 ? input.tracks : input.tracks.map((t) => ({ ...t, request: { ...t.request, prompt: `${t.request.prompt} (take ${copy})`, ...(t.request.style ? { style: `${t.request.style} (take ${copy})` } : {}) } })),
        // Faults here are transient by design, so a failed track is tried again rather than skipped.
        failurePolicy: { mode: 'retry', attempts: 6 },
      });
    }
  }
  return inputs;
}

function byKind(counts: Record<string, number>): string {
  const parts = Object.entries(counts).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

async function main(): Promise<void> {
  program.parse();
  const parsed = program.opts<Options>();
  const opts = { ...parsed, callbackFaultRate: parsed.webhookFaultRate ?? parsed.callbackFaultRate };
  const manifests = program.processedArgs[0] as string[];
  const albums = await planAlbums(manifests, { copies: opts.copies, concurrency: opts.concurrency });
  // Clock time to a tenth of a second: lines up with the worker log and the runs' histories (UTC).
  const say = opts.quiet || opts.json ? () => {} : (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 21)} ${line}\n`);
  const workDir = await mkdtemp(path.join(tmpdir(), 'music-chaos-'));
  let keep = opts.keep === true;
  // Made before the first phase, so a failure to bundle still removes the work folder.
  const workflowBundle = await writeWorkflowBundle(path.join(workDir, 'workflow-bundle.js')).catch(async (error: unknown) => {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  });
  const common = {
    workflowBundle,
    workDir,
    albums,
    seed: opts.seed,
    stageDelaysMs: opts.stageDelays,
    clipSeconds: opts.clipSeconds,
    workerEnv: opts.maxRunningTasks === undefined ? undefined : Object.fromEntries(PROVIDER_NAMES.map((name) => [`${name.toUpperCase()}_MAX_RUNNING_TASKS`, String(opts.maxRunningTasks)])),
    secret: `chaos-${Math.random().toString(36).slice(2)}-secret-value`,
    providerTimeoutMs: opts.providerTimeout * 1000,
    timeoutMs: opts.timeout * 60_000,
    warmSpare: !opts.coldWorkerStarts,
    workers: opts.workers,
    log: say,
  };

  try {
    say(`baseline: ${albums.length} album(s), ${sum(albums.map((a) => a.tracks.length))} tracks, no faults`);
    const calm = await runAlbumPhase({ ...common, name: 'baseline' });
    say(`baseline done in ${(calm.wallMs / 1000).toFixed(1)} s; now the same albums under faults`);
    const chaos = await runAlbumPhase({
      ...common,
      name: 'chaos',
      disruptions: {
        kills: opts.kills,
        restarts: opts.restarts,
        forgeries: opts.forgeries,
        faults: {
          random: [
            { rate: opts.faultRate, faults: [...REQUEST_FAULTS], on: 'submit' },
            { rate: opts.faultRate, faults: [...QUERY_FAULTS], on: 'query' },
          ],
          callbacks: opts.callbackFaultRate > 0 ? { rate: opts.callbackFaultRate, faults: [...CALLBACK_FAULTS], delayMs: 4_000 } : undefined,
          hangMs: 60_000,
        },
      },
    });
    const manifestsAudit = await auditTrackManifests(chaos.outDir);
    const comparison = await compareOutputs(calm.outDir, chaos.outDir);
    const figures = summarize(calm, chaos, manifestsAudit, comparison, opts.maxSlowdown);
    if (opts.json) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    else process.stdout.write(`${table(figures)}\n`);
    // A broken guarantee is a finding: its databases, worker logs and outputs are the evidence.
    if (!figures.guaranteesHeld) keep = true;
    // On stderr even with --json or --quiet: the one line that says where the evidence is.
    if (keep) process.stderr.write(`work folder kept: ${workDir}${opts.keep ? '' : ' (a guarantee did not hold)'}\n`);
    process.exitCode = figures.ok ? 0 : 1;
  } finally {
    if (!keep) await rm(workDir, { recursive: true, force: true });
  }
}

type Figures = ReturnType<typeof summarize>;

function summarize(calm: PhaseReport, chaos: PhaseReport, manifests: { listed: number; lost: string[] }, comparison: { compared: number; missing: string[]; different: string[] }, maxSlowdown: number) {
  const tracks = chaos.albums.flatMap((a) => a.tracks);
  const requestFaults = Object.fromEntries(REQUEST_FAULTS.map((f) => [f, chaos.faults[f]]));
  const webhookFaults = Object.fromEntries(CALLBACK_FAULTS.map((f) => [f, chaos.faults[f]]));
  const statuses: Record<string, number> = {};
  for (const { status } of chaos.forgeries) statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
  const refused = chaos.forgeries.filter((f) => f.status >= 400).length;
  const acceptedAsHints = chaos.forgeries.filter((f) => f.status >= 200 && f.status < 300).length;
  const runsOk = [...calm.albums, ...chaos.albums].every((a) => a.status === 'succeeded');
  const artifactsLost = manifests.lost.length + comparison.missing.length;
  // Submits without a callback token (some dialects send none) cannot be tied to a step; the totals
  // still can: faults must not make the same albums cost more than the calm run.
  // An answer bought again knowingly (no record at the provider to read it from) is one submit more
  // than the calm run made, and is counted in a row of its own; any other extra submit fails.
  const samePaid = chaos.paidSubmits - chaos.knowinglyRebought.length === calm.paidSubmits;
  const slowdown = calm.wallMs > 0 ? chaos.wallMs / calm.wallMs : Infinity;
  const withinTime = maxSlowdown === 0 || slowdown <= maxSlowdown;
  const replayOk = calm.replay.failed.length === 0 && chaos.replay.failed.length === 0;
  const guaranteesHeld = runsOk && replayOk && samePaid && chaos.paidTwice.length === 0 && calm.paidTwice.length === 0 && artifactsLost === 0 && comparison.different.length === 0;
  const ok = guaranteesHeld && withinTime;
  return {
    ok,
    guaranteesHeld,
    albums: chaos.albums,
    baselineAlbums: calm.albums,
    songs: tracks.length,
    trackAttempts: sum(tracks.map((t) => t.attempts)),
    kills: chaos.kills,
    restarts: chaos.restarts,
    replay: { replayed: calm.replay.replayed + chaos.replay.replayed, failed: [...calm.replay.failed, ...chaos.replay.failed] },
    unexpectedWorkerExits: chaos.unexpectedWorkerExits,
    providerFaults: requestFaults,
    webhookFaults,
    forgedCallbacks: { sent: chaos.forgeries.length, refused, acceptedAsHints, byStatus: statuses },
    endpoint: chaos.endpoint,
    paidSubmits: { baseline: calm.paidSubmits, chaos: chaos.paidSubmits },
    paidTwice: chaos.paidTwice,
    knowinglyRebought: chaos.knowinglyRebought,
    artifacts: { listed: manifests.listed, lost: [...manifests.lost, ...comparison.missing], compared: comparison.compared, different: comparison.different },
    stepsNeedingAttention: chaos.attentionResolved,
    wallSeconds: { baseline: Math.round(calm.wallMs / 1000), chaos: Math.round(chaos.wallMs / 1000) },
    slowdown: { ratio: Math.round(slowdown * 100) / 100, limit: maxSlowdown, ok: withinTime },
    peakSongsInFlight: { baseline: calm.peakTracksInFlight, chaos: chaos.peakTracksInFlight },
    harness: { baseline: calm.harness, chaos: chaos.harness },
    loadAverage: { baseline: calm.loadAverage, chaos: chaos.loadAverage },
    warmSpare: chaos.warmSpare,
    workers: chaos.workers,
    workerStartSeconds: { baseline: startups(calm.workerStartupsMs), chaos: startups(chaos.workerStartupsMs) },
    withoutWorkerSeconds: Math.round(chaos.withoutWorkerMs / 1000),
    // Where the faulted run's extra time went: runs standing still until a timeout gave their work to a live worker.
    standingStill: {
      lostWithWorker: { count: chaos.workflowTasks.lostWithWorker.count, seconds: Math.round(chaos.workflowTasks.lostWithWorker.waitedMs / 1000) },
      stuckOnStickyQueue: { count: chaos.workflowTasks.stuckOnStickyQueue.count, seconds: Math.round(chaos.workflowTasks.stuckOnStickyQueue.waitedMs / 1000) },
      activityAttemptsLost: chaos.workflowTasks.activityAttemptsLost,
      slowestWorkflowTaskMs: Math.max(0, ...chaos.workflowTasks.processingMs),
    },
  };
}

function startups(ms: number[]): { count: number; median: number; max: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const seconds = (n: number | undefined) => Math.round((n ?? 0) / 100) / 10;
  return { count: sorted.length, median: seconds(sorted[Math.floor((sorted.length - 1) / 2)]), max: seconds(sorted.at(-1)) };
}

function table(f: Figures): string {
  const albums = f.albums.map((a) => `${a.albumId} ${a.status}`).join(', ');
  const rows: [string, string][] = [
    ['runs (albums / songs)', `${f.albums.length} / ${f.songs} (${albums}); ${f.trackAttempts} song attempts`],
    ['songs in flight at once, peak (calm / with faults)', `${f.peakSongsInFlight.baseline} / ${f.peakSongsInFlight.chaos}`],
    [`worker kills (SIGKILL${f.workers > 1 ? `, one of ${f.workers} workers at a time` : ''})`, `${f.kills}${f.unexpectedWorkerExits > 0 ? `; ${f.unexpectedWorkerExits} exited by themselves` : ''}`],
    ['dev-server restarts', String(f.restarts)],
    ['provider faults injected', `${sum(Object.values(f.providerFaults))} (${byKind(f.providerFaults)})`],
    ['webhook faults injected', `${sum(Object.values(f.webhookFaults))} (${byKind(f.webhookFaults)})`],
    ['callbacks forged', String(f.forgedCallbacks.sent)],
    ['  refused by the endpoint', `${f.forgedCallbacks.refused} (${byKind(Object.fromEntries(Object.entries(f.forgedCallbacks.byStatus).filter(([s]) => Number(s) >= 400).map(([s, n]) => [`HTTP ${s}`, n])))})`],
    ['  genuine token, other task id: taken as a hint, ignored', String(f.forgedCallbacks.acceptedAsHints)],
    ['paid submits (baseline / with faults)', `${f.paidSubmits.baseline} / ${f.paidSubmits.chaos}`],
    ['paid submits made twice', `${f.paidTwice.length}${f.paidTwice.length > 0 ? ` (${f.paidTwice.join(', ')})` : ''}`],
    ['  answers bought again knowingly (no record to read back)', `${f.knowinglyRebought.length}${f.knowinglyRebought.length > 0 ? ` (${f.knowinglyRebought.join(', ')})` : ''}`],
    ['artifacts lost', `${f.artifacts.lost.length} (of ${f.artifacts.listed} listed in track.json)${f.artifacts.lost.length > 0 ? `: ${f.artifacts.lost.slice(0, 5).join(', ')}` : ''}`],
    ['files differing from the calm run', `${f.artifacts.different.length} (of ${f.artifacts.compared} compared by sha256)${f.artifacts.different.length > 0 ? `: ${f.artifacts.different.slice(0, 5).join(', ')}` : ''}`],
    ['steps that needed attention', `${f.stepsNeedingAttention} (resolved from the provider's records)`],
    ['runs that do not replay against the code (calm and faulted)', `${f.replay.failed.length} (of ${f.replay.replayed})${f.replay.failed.length > 0 ? `: ${f.replay.failed.slice(0, 3).join('; ')}` : ''}`],
    ['wall time (calm / with faults)', `${f.wallSeconds.baseline} s / ${f.wallSeconds.chaos} s (${f.slowdown.ratio}×, ${f.slowdown.limit === 0 ? 'not checked' : `limit ${f.slowdown.limit}×`}${f.slowdown.ok ? '' : ': too slow'})`],
    ['  workflow tasks a killed worker held (or whose answer a restart lost): each waits out the task timeout', `${f.standingStill.lostWithWorker.count} (${f.standingStill.lostWithWorker.seconds} s, summed over runs)`],
    ["  workflow tasks left on a killed worker's own queue: each waits the sticky timeout", `${f.standingStill.stuckOnStickyQueue.count} (${f.standingStill.stuckOnStickyQueue.seconds} s, summed over runs)`],
    ['  activity attempts lost with their worker: each waits the heartbeat timeout', `${f.standingStill.activityAttemptsLost} or more`],
    ['  slowest workflow task on a worker (with faults)', `${(f.standingStill.slowestWorkflowTaskMs / 1000).toFixed(1)} s`],
    [`worker start to polling, median / max (calm; with faults${f.warmSpare ? ', a warm spare' : ', cold starts'})`, `${f.workerStartSeconds.baseline.median} / ${f.workerStartSeconds.baseline.max} s; ${f.workerStartSeconds.chaos.median} / ${f.workerStartSeconds.chaos.max} s (${f.workerStartSeconds.chaos.count} starts)`],
    ['time with no worker polling at all after kills (with faults)', `${f.withoutWorkerSeconds} s`],
    ['machine load average, mean / max (calm; with faults)', `${f.loadAverage.baseline.mean} / ${f.loadAverage.baseline.max}; ${f.loadAverage.chaos.mean} / ${f.loadAverage.chaos.max}`],
    ['simulator process: CPU, event-loop delay p99 / max', [f.harness.baseline, f.harness.chaos].map((h) => `${h.cpuSeconds} s, ${h.eventLoopDelayP99Ms} / ${h.eventLoopDelayMaxMs} ms`).join(' (calm); ') + ' (with faults)'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `| ${label.padEnd(width)} | ${value} |`);
  return [`| ${'what'.padEnd(width)} | figure |`, `| ${'-'.repeat(width)} | --- |`, ...lines, '', f.ok ? 'chaos: OK' : 'chaos: FAILED'].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
