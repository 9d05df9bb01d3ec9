// Every command `music` dispatches to, with what `music --help` and shell completion say about it.
// The options are written out here because a script cannot be asked for them without running it;
// test/commands.test.ts compares each list with the script's own --help, so the two cannot drift.
import { PROVIDER_NAMES } from '../providers/model';
import { KIND_NAMES, RUN_STATES } from '../client/runCatalog';
import type { CompletionSpec } from '../client/completion';

export interface CommandSpec extends CompletionSpec {
  /** The file in scripts/. */
  script: string;
  group: 'Make music' | 'See runs' | 'Act on a run' | 'Run the system' | 'Check and measure';
  summary: string;
  aliases?: string[];
}

const providers = [...PROVIDER_NAMES];
const JSON_OPT = '--json';

export const COMMANDS: CommandSpec[] = [
  {
    name: 'song',
    script: 'song.ts',
    group: 'Make music',
    summary: 'make one song and store its files (lyrics, song, the later steps)',
    options: ['--prompt', '--title', '--style', '--instrumental', '--model', '--provider', '--steps', '--lyrics-file', '--persona-id', '--review', '--out', '--id', '--no-callbacks', '--on-unknown-submit', JSON_OPT, '--verbose'],
    values: { '--provider': providers, '--on-unknown-submit': ['wait', 'resubmit'] },
  },
  {
    name: 'pipeline',
    script: 'pipeline.ts',
    group: 'Make music',
    summary: 'run a pipeline definition (YAML or JSON): named provider steps',
    options: ['--provider', '--out', '--check', '--builtin', '--print', '--review', '--no-callbacks', '--on-unknown-submit', JSON_OPT, '--verbose'],
    values: { '--provider': providers, '--on-unknown-submit': ['wait', 'resubmit'] },
  },
  { name: 'album', script: 'album.ts', group: 'Make music', summary: 'make an album from a manifest', options: ['--out', '--budget', '--release-check', '--no-callbacks', JSON_OPT] },
  { name: 'batch', script: 'batch.ts', group: 'Make music', summary: 'make several albums in one durable batch', options: ['--max-albums', '--out', '--no-callbacks', JSON_OPT] },
  {
    name: 'status',
    script: 'status.ts',
    group: 'See runs',
    summary: 'counts by state, what is running, what waits for a person',
    options: [JSON_OPT, '--no-start', '--provider', '--state', '--kind', '--album', '--children', '--recent'],
    values: { '--provider': providers, '--state': [...RUN_STATES], '--kind': [...KIND_NAMES] },
  },
  {
    name: 'list',
    script: 'list.ts',
    group: 'See runs',
    summary: 'past and running runs, newest first, filtered by provider, state, kind or album',
    aliases: ['ls'],
    options: [JSON_OPT, '--no-start', '--provider', '--state', '--kind', '--album', '--children', '--limit', '--all'],
    values: { '--provider': providers, '--state': [...RUN_STATES], '--kind': [...KIND_NAMES] },
  },
  { name: 'show', script: 'show.ts', group: 'See runs', summary: 'one run in detail: state, folder, credits, steps, failures, files', options: [JSON_OPT, '--no-start'] },
  { name: 'choose-clip', script: 'choose-clip.ts', group: 'Act on a run', summary: 'list the clips of a run under review, or choose one', options: [JSON_OPT] },
  { name: 'resolve', script: 'resolve.ts', group: 'Act on a run', summary: 'settle a step that needs attention (unknown submit outcome)', options: ['--step', '--task-id', '--persona-id', '--resubmit', '--abandon', JSON_OPT] },
  { name: 'start', script: 'start.ts', group: 'Run the system', summary: 'dev server, UI, simulator, callback endpoint and worker until Ctrl-C', options: ['--no-worker'] },
  { name: 'worker', script: 'worker.ts', group: 'Run the system', summary: 'one more worker against a running server', options: ['--wait-for-server'] },
  { name: 'callbacks', script: 'callbacks.ts', group: 'Run the system', summary: 'the callback endpoint on its own (behind a load balancer, apart from the workers)', options: ['--host', '--wait-for-server'] },
  { name: 'setup-cluster', script: 'setup-cluster.ts', group: 'Run the system', summary: 'register the namespace and search attributes on a Temporal server or Temporal Cloud', options: ['--check', '--retention-days'] },
  {
    name: 'simulator',
    script: 'simulator.ts',
    group: 'Run the system',
    summary: 'the local Suno-compatible provider on its own',
    options: ['--host', '--port', '--api-key', '--seed', '--clip-seconds', '--stage-delays', '--state-dir', '--media-dir', '--public-url', '--no-callbacks', '--error-status', '--fault-rate', '--faults', '--fault-on', '--callback-fault-rate', '--callback-faults', '--callback-delay-ms', '--hang-ms', '--quiet'],
  },
  { name: 'setup', script: 'setup-temporal.ts', group: 'Run the system', summary: 'find or install the Temporal binaries', options: ['--quiet'] },
  { name: 'providers', script: 'providers.ts', group: 'Check and measure', summary: 'the steps each provider offers', options: [JSON_OPT, '--markdown'] },
  {
    name: 'chaos',
    script: 'chaos.ts',
    group: 'Check and measure',
    summary: 'make albums under injected faults and check nothing was paid twice or lost',
    options: ['--kills', '--restarts', '--forgeries', '--fault-rate', '--callback-fault-rate', '--webhook-fault-rate', '--seed', '--stage-delays', '--copies', '--concurrency', '--max-running-tasks', '--clip-seconds', '--provider-timeout', '--max-slowdown', '--timeout', '--workers', '--cold-worker-starts', '--keep', JSON_OPT, '--quiet'],
  },
  { name: 'bench-scale', script: 'bench-scale.ts', group: 'Check and measure', summary: 'many songs at once against a lightweight provider: ours (callbacks, polling) against a naive 3 s poller', options: ['--songs', '--time-scale', '--lyrics-seconds', '--song-seconds', '--naive-poll-seconds', '--modes'] },
  { name: 'bench-history', script: 'bench-history.ts', group: 'Check and measure', summary: 'history events per song at several provider latencies', options: ['--complete-after', '--full'] },
  { name: 'bench-pipeline', script: 'bench-pipeline.ts', group: 'Check and measure', summary: 'wall time of a full pipeline against the sum of its steps', options: ['--provider', '--complete-after'], values: { '--provider': providers } },
];
