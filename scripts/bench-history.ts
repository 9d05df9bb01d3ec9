// Benchmark: how many workflow history events one song costs, with callbacks and with polling only,
// and whether that number grows when the provider takes longer. Prints a table; asserts nothing.
//   npm run bench:history -- [--complete-after 3,30] [--runs 1]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../runtime/config';
import { startStack } from '../stack/stack';
import type { SongPipelineInput } from '../contracts/songPipeline';
import { songPipeline } from '../song/songPipeline';
import { AFTER_SONG_STEPS } from '../contracts/trackManifest';

const program = new Command('bench:history')
  .description('Count history events per song (callbacks vs polling only) at several provider latencies.')
  .option('--complete-after <seconds>', 'comma-separated times the simulated provider takes to finish a song', '3,30')
  .option('--full', 'a full song: lyrics, song and every later step (persona, stems, WAV, MP4, cover art, timestamped lyrics)')
  .parse();

interface Row {
  mode: string;
  providerSeconds: number;
  events: number;
  wallSeconds: number;
  eventTypes: string;
}

async function main(): Promise<void> {
  const { completeAfter, full } = program.opts<{ completeAfter: string; full?: boolean }>();
  const steps: SongPipelineInput['steps'] = full ? ['lyrics', 'song', ...AFTER_SONG_STEPS] : ['lyrics', 'song'];
  const latencies = completeAfter.split(',').map(Number).filter((n) => n > 0);
  const scratch = await mkdtemp(path.join(tmpdir(), 'bench-history-'));
  const rows: Row[] = [];
  try {
    for (const seconds of latencies) {
      const stack = await startStack({
        config: loadConfig({ CALLBACK_SECRET: 'bench-secret-bench-secret' }),
        log: () => {},
        devServer: { port: 0, uiPort: 0, ui: false, dbFile: path.join(scratch, `temporal-${seconds}.db`) },
        simulator: { port: 0, stageDelaysMs: { text: seconds * 333, first: seconds * 666, complete: seconds * 1000 }, stateDir: path.join(scratch, `sim-${seconds}`) },
        callbackPort: 0,
        // Production poll cadence, so the figures hold for real providers.
        pollScale: 1,
      });
      try {
        for (const callbacks of [true, false]) {
          const workflowId = `bench-${seconds}s-${callbacks ? 'callbacks' : 'polling'}`;
          const input: SongPipelineInput = {
            provider: 'anyint',
            request: { prompt: 'a calm piano piece about rain', instrumental: false },
            steps,
            outDir: path.join(scratch, workflowId),
            callbacks,
          };
          const started = Date.now();
          const handle = await stack.client.workflow.start(songPipeline, { taskQueue: stack.taskQueue, workflowId, args: [input] });
          await handle.result();
          const wallSeconds = (Date.now() - started) / 1000;
          const events = (await handle.fetchHistory()).events ?? [];
          const counts = new Map<string, number>();
          for (const e of events) {
            const name = String(e.eventType ?? '?');
            counts.set(name, (counts.get(name) ?? 0) + 1);
          }
          rows.push({
            mode: callbacks ? 'callbacks' : 'polling only',
            providerSeconds: seconds,
            events: events.length,
            wallSeconds,
            eventTypes: [...counts.entries()].map(([k, v]) => `${k}:${v}`).join(' '),
          });
          process.stderr.write(`${workflowId}: ${events.length} events in ${wallSeconds.toFixed(1)} s\n`);
        }
      } finally {
        await stack.stop();
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  process.stdout.write(`\nsteps: ${steps.join(', ')}\n`);
  process.stdout.write('\nmode          provider takes   history events   wall time\n');
  for (const r of rows) {
    process.stdout.write(`${r.mode.padEnd(14)}${`${r.providerSeconds} s`.padStart(14)}${String(r.events).padStart(17)}${`${r.wallSeconds.toFixed(1)} s`.padStart(12)}\n`);
  }
  process.stdout.write('\n(event type counts use the numeric EventType enum of temporal.api.enums.v1)\n');
  for (const r of rows) process.stdout.write(`${r.mode} ${r.providerSeconds} s: ${r.eventTypes}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench:history: ${err.message}\n`);
  process.exit(1);
});
