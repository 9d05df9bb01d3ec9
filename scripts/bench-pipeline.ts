// Benchmark: the wall time of a full song pipeline against the sum of its step times, on an embedded
// stack with the simulator. The later steps run side by side, so the ratio shows what that saves.
//   npm run bench:pipeline -- [--provider anyint] [--complete-after 3]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { loadConfig } from '../runtime/config';
import { startStack } from '../stack/stack';
import { PROVIDER_NAMES, type ProviderName } from '../providers/model';
import { adapterFor } from '../providers/registry';
import type { SongPipelineInput, SongPipelineResult } from '../contracts/songPipeline';
import { songPipeline } from '../song/songPipeline';
import { PIPELINE_STEPS } from '../contracts/trackManifest';

const program = new Command('bench:pipeline')
  .description('Wall time of one full song pipeline vs the sum of its step times.')
  .addOption(new Option('--provider <name>', 'provider the simulator plays').choices(PROVIDER_NAMES).default('anyint'))
  .option('--complete-after <seconds>', 'how long each simulated provider task takes', '3')
  .parse();

async function main(): Promise<void> {
  const opts = program.opts<{ provider: ProviderName; completeAfter: string }>();
  const seconds = Number(opts.completeAfter);
  const scratch = await mkdtemp(path.join(tmpdir(), 'bench-pipeline-'));
  const stack = await startStack({
    config: loadConfig({ CALLBACK_SECRET: 'bench-secret-bench-secret' }),
    log: () => {},
    devServer: { port: 0, uiPort: 0, ui: false, dbFile: path.join(scratch, 'temporal.db') },
    simulator: { port: 0, stageDelaysMs: { text: seconds * 333, first: seconds * 666, complete: seconds * 1000 }, stateDir: path.join(scratch, 'sim') },
    callbackPort: 0,
  });
  try {
    const offered = adapterFor(opts.provider).capabilities;
    const input: SongPipelineInput = {
      provider: opts.provider,
      request: { prompt: 'a calm piano piece about rain', instrumental: false },
      steps: PIPELINE_STEPS.filter((s) => offered.includes(s)),
      outDir: path.join(scratch, 'out'),
      callbacks: true,
    };
    const handle = await stack.client.workflow.start(songPipeline, { taskQueue: stack.taskQueue, workflowId: 'bench-pipeline', args: [input] });
    const result: SongPipelineResult = await handle.result();
    const timed = result.steps.filter((s) => s.startedAt !== undefined && s.finishedAt !== undefined);
    const sum = timed.reduce((n, s) => n + (s.finishedAt! - s.startedAt!), 0) / 1000;
    const wall = (Math.max(...timed.map((s) => s.finishedAt!)) - Math.min(...timed.map((s) => s.startedAt!))) / 1000;
    process.stdout.write(`provider ${opts.provider}, simulated task time ${seconds} s, status ${result.status}\n\n`);
    for (const s of timed) process.stdout.write(`  ${s.stepId.padEnd(20)} ${((s.finishedAt! - s.startedAt!) / 1000).toFixed(2).padStart(7)} s\n`);
    process.stdout.write(`\nsum of step times ${sum.toFixed(2)} s, pipeline wall time ${wall.toFixed(2)} s, ratio ${(wall / sum).toFixed(2)}\n`);
  } finally {
    await stack.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench:pipeline: ${err.message}\n`);
  process.exit(1);
});
