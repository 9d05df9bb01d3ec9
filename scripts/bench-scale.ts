// Benchmark: ours (callbacks, then polling only) and a naive 3 s poller, N songs (lyrics + song)
// each, against the same lightweight AnyInt-family provider, in one run. Figures come from the
// provider's own request log; prints a table and ours ÷ naive. Asserts nothing.
//   npm run bench:scale -- [--songs 8] [--time-scale 0.1] [--lyrics-seconds 20] [--song-seconds 60] [--modes callbacks,polling,naive]
import { Command, InvalidArgumentError } from 'commander';
import { runScaleBenchmark, SCALE_MODES, type ScaleMode } from '../bench/scaleRun';
import { figuresTable, ratioTable } from '../bench/scaleFigures';

function positive(what: string, integer = false) {
  return (raw: string) => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      throw new InvalidArgumentError(`${what} must be a positive ${integer ? 'whole ' : ''}number, got ${raw}`);
    }
    return value;
  };
}

const program = new Command('bench:scale')
  .description('Provider calls, hops and throughput of ours vs a naive poller, N songs at once against a lightweight provider.')
  .option('--songs <n>', 'songs (lyrics + song) in flight at once, per mode', positive('--songs', true), 8)
  .option('--time-scale <factor>', 'multiplies provider durations and poll cadences (0.1: a 60 s song takes 6 s)', positive('--time-scale'), 0.1)
  .option('--lyrics-seconds <s>', 'how long the provider takes for lyrics, before scaling', positive('--lyrics-seconds'), 20)
  .option('--song-seconds <s>', 'how long the provider takes for a song, before scaling', positive('--song-seconds'), 60)
  .option('--naive-poll-seconds <s>', "the naive client's poll interval, before scaling", positive('--naive-poll-seconds'), 3)
  .option('--modes <list>', `phases to run, comma-separated: ${SCALE_MODES.join(', ')} (the ratios need naive)`, modeList, [...SCALE_MODES])
  .parse();

function modeList(raw: string): ScaleMode[] {
  const modes = raw.split(',').map((m) => m.trim()).filter(Boolean);
  const unknown = modes.filter((m) => !(SCALE_MODES as readonly string[]).includes(m));
  if (modes.length === 0 || unknown.length > 0) throw new InvalidArgumentError(`--modes takes ${SCALE_MODES.join(', ')}, got ${raw}`);
  return modes as ScaleMode[];
}

async function main(): Promise<void> {
  const opts = program.opts<{ songs: number; timeScale: number; lyricsSeconds: number; songSeconds: number; naivePollSeconds: number; modes: ScaleMode[] }>();
  const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  const { figures, criticalPathMs } = await runScaleBenchmark({ ...opts, log });
  const naive = opts.modes.includes('naive') ? figures[figures.length - 1] : undefined;
  process.stdout.write(
    `\n${opts.songs} songs per mode; provider: lyrics ${opts.lyricsSeconds} s, song ${opts.songSeconds} s, time scale ${opts.timeScale} ` +
      `(critical path ${(criticalPathMs / 1000).toFixed(1)} s; durations and poll cadences scaled, figures as measured)\n\n`,
  );
  const ours = naive ? figures.slice(0, -1) : figures;
  process.stdout.write(`${figuresTable(figures)}\n${naive && ours.length > 0 ? `\n${ratioTable(ours, naive)}\n` : ''}`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench:scale: ${err.message}\n`);
  process.exit(1);
});
