// Credits the command line reports are what the provider charged: an album and a single run with
// `--json` by the real commands against the real stack (dev server, worker, callback endpoint,
// simulator), and the simulator's ledger of paid submits, priced by this test from the routes it
// records, must give the same figure. Running the album again pays nothing, says so, and keeps the
// album's total in album.json and in the output.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '../providers/prices';
import { startPipelineStack, simulatorLedger, type LedgerEntry, type PipelineStack } from './helpers/pipelineStack';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');

/** What each anyint route the simulator records costs, by this test's own reading of the routes. */
const ROUTE_KIND: Record<string, 'lyrics' | 'song' | 'wav'> = {
  'POST /suno/generate-lyrics': 'lyrics',
  'POST /suno/generate': 'song',
  'POST /suno/wav-generate': 'wav',
};

function priced(entries: LedgerEntry[]): number {
  return entries.reduce((n, e) => {
    const kind = ROUTE_KIND[e.route];
    expect(kind, `ledger route ${e.route} is priced by this test`).toBeDefined();
    return n + DEFAULT_PRICES.anyint[kind!]!.credits;
  }, 0);
}

let env: PipelineStack;

/** Runs a command as a user would, attached to the stack's server (so it only connects), and parses its --json. */
async function command<T>(script: string, args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', script), ...args, '--json'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: env.stack.address, CALLBACK_SECRET: 'integration-test-secret' },
    timeout: 240_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as T;
}

beforeAll(async () => {
  env = await startPipelineStack('credits-it-', 3);
});

afterAll(async () => {
  await env?.stop();
});

interface AlbumJsonOutput {
  status: string;
  albumDir: string;
  creditsSpent: number;
  creditsTotal: number;
  reusedFiles: number;
  tracks: { number: number; creditsSpent: number }[];
}

describe('credits against the provider ledger', () => {
  it('an album counts every paid step, its shared lyrics included, and a rerun keeps the total', async () => {
    const manifest = path.join(env.scratch, 'album.yaml');
    await writeFile(
      manifest,
      [
        'title: Ledger Lines',
        'artist: The Auditors',
        'provider: anyint',
        'defaults:',
        '  style: rock',
        '  steps: [lyrics, song, wav]',
        'failurePolicy: skip',
        'tracks:',
        '  - title: One',
        '    prompt: counting coins in the rain',
        '  - title: Two',
        '    prompt: a receipt blowing down the street',
        '  - title: Three',
        '    prompt: the ledger balances at dawn',
        '',
      ].join('\n'),
    );
    const before = (await simulatorLedger(env)).length;
    const first = await command<AlbumJsonOutput>('album.ts', [manifest, '--out', path.join(env.scratch, 'out')]);
    const paid = (await simulatorLedger(env)).slice(before);
    expect(first.status).toBe('succeeded');
    // Three tracks of lyrics, song and WAV: nine paid submits, each priced.
    expect(paid).toHaveLength(9);
    expect(first.creditsSpent).toBe(priced(paid));
    expect(first.creditsSpent).toBe(3 * (1 + 12 + 1));
    expect(first.creditsTotal).toBe(first.creditsSpent);
    expect(first.tracks.map((t) => t.creditsSpent)).toEqual([14, 14, 14]);
    const albumJson = JSON.parse(await readFile(path.join(first.albumDir, 'album.json'), 'utf8'));
    expect(albumJson.credits).toMatchObject({ spent: first.creditsSpent, spentThisRun: first.creditsSpent });

    // The same command again: every file is intact, nothing is submitted, and the record of what the album cost stays.
    const again = await command<AlbumJsonOutput>('album.ts', [manifest, '--out', path.join(env.scratch, 'out')]);
    expect((await simulatorLedger(env)).length).toBe(before + paid.length);
    expect(again.status).toBe('succeeded');
    expect(again.creditsSpent).toBe(0);
    expect(again.creditsTotal).toBe(first.creditsSpent);
    expect(again.reusedFiles).toBeGreaterThanOrEqual(6);
    const rechecked = JSON.parse(await readFile(path.join(first.albumDir, 'album.json'), 'utf8'));
    expect(rechecked.credits).toMatchObject({ spent: first.creditsSpent, spentThisRun: 0 });
    expect(Object.keys(rechecked.credits.byRun)).toHaveLength(2);
    for (const track of rechecked.tracks) expect(track.credits).toMatchObject({ spent: 14, spentThisRun: 0 });
  }, 600_000);

  it('a single counts its paid steps, a rerun that reuses them pays 0, and track.json, the output and show keep the total', async () => {
    type SongOutput = { status: string; workflowId: string; outDir: string; creditsSpent: number; creditsTotal: number; reusedFiles: number };
    const args = ['--prompt', 'a single about bookkeeping', '--steps', 'lyrics,song,wav', '--provider', 'anyint', '--out', path.join(env.scratch, 'out')];
    const before = (await simulatorLedger(env)).length;
    const first = await command<SongOutput>('song.ts', args);
    const paid = (await simulatorLedger(env)).slice(before);
    expect(first.status).toBe('succeeded');
    expect(paid).toHaveLength(3);
    expect(first.creditsSpent).toBe(priced(paid));
    expect(first.creditsTotal).toBe(priced(paid));
    expect(first.reusedFiles).toBe(0);

    const again = await command<SongOutput>('song.ts', args);
    expect((await simulatorLedger(env)).length).toBe(before + paid.length);
    expect(again.creditsSpent).toBe(0);
    expect(again.reusedFiles).toBeGreaterThanOrEqual(3);
    // The total is the ledger's, kept across the rerun: in the output, in track.json by run, and in show.
    expect(again.creditsTotal).toBe(priced(paid));
    const record = JSON.parse(await readFile(path.join(again.outDir, 'track.json'), 'utf8')) as { runId: string; credits: { spent: number; spentThisRun: number; byRun: Record<string, number> } };
    expect(record.credits).toMatchObject({ spent: priced(paid), spentThisRun: 0 });
    expect(Object.values(record.credits.byRun).sort((a, b) => a - b)).toEqual([0, priced(paid)]);
    expect(record.credits.byRun[record.runId]).toBe(0);
    const shown = await command<{ credits: { spent: number; total: number } }>('show.ts', [again.outDir]);
    expect(shown.credits).toEqual({ spent: 0, total: priced(paid) });
  }, 600_000);
});
