// `music status [--json]`: a short overview: how many runs are in each state, which are running,
// and which wait for a person (a clip choice, or a submit to settle). Exit 4 when any run needs
// attention, so a script can check on a night's work.
import { InvalidArgumentError } from 'commander';
import { addFilterOptions, filterOf, readCommand, runReadCommand } from '../client/readCommand';
import { listRuns, RUN_STATES, WAITING_FOR_A_PERSON, type RunKind, type RunState, type RunSummary } from '../client/runCatalog';
import { runTable, stateWord } from '../client/runCatalogText';
import { EXIT } from '../client/exitCodes';

const program = addFilterOptions(readCommand('status', 'A short overview of past and running runs: counts by state, what runs, what needs attention.'))
  .option('--recent <n>', 'also list this many of the newest finished runs', parseCount, 5)
  .addHelpText('after', '\nExit code: 4 when a run needs attention (music resolve), else 0. Details of one run: music show <run>.');

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('--recent takes a whole number from 0');
  return n;
}

interface Overview {
  counts: Partial<Record<RunState, number>>;
  total: number;
  running: RunSummary[];
  needingAttention: RunSummary[];
  recent: RunSummary[];
}

function overview(runs: RunSummary[], recent: number): Overview {
  const counts: Partial<Record<RunState, number>> = {};
  for (const r of runs) counts[r.state] = (counts[r.state] ?? 0) + 1;
  return {
    counts,
    total: runs.length,
    running: runs.filter((r) => r.state === 'running'),
    needingAttention: runs.filter((r) => WAITING_FOR_A_PERSON.includes(r.state)),
    recent: runs.filter((r) => r.closedAt).slice(0, Math.max(0, recent)),
  };
}

function text(o: Overview): string {
  if (o.total === 0) return 'no runs yet\n';
  const counts = RUN_STATES.filter((s) => o.counts[s]).map((s) => `${o.counts[s]} ${stateWord(s)}`);
  const parts = [`${o.total} runs: ${counts.join(', ')}\n`];
  if (o.needingAttention.length) parts.push(`waiting for a person (music show <run>, then music resolve or music choose-clip):\n${runTable(o.needingAttention)}`);
  if (o.running.length) parts.push(`running:\n${runTable(o.running)}`);
  if (o.recent.length) parts.push(`recently finished:\n${runTable(o.recent)}`);
  return parts.join('\n');
}

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<{ json: boolean; start: boolean; provider?: string; state?: RunState; kind?: RunKind; album?: string; children: boolean; recent: number }>();
  await runReadCommand(
    'status',
    opts,
    async ({ client }) => {
      const o = overview(await listRuns(client, filterOf(opts)), opts.recent);
      process.stdout.write(opts.json ? `${JSON.stringify(o, null, 2)}\n` : text(o));
      return o.needingAttention.some((r) => r.state === 'needs-attention') ? EXIT.needsAttention : EXIT.success;
    },
    () => {
      process.stdout.write(opts.json ? `${JSON.stringify(overview([], 0), null, 2)}\n` : '');
      return EXIT.success;
    },
  );
}

void main();
