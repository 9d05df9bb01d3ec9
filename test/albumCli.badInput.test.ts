// `npm run album` refuses a bad manifest or a budget the estimate exceeds before anything starts.
// TEMPORAL_ADDRESS points at a closed port: a command that got as far as Temporal would say so.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'album-cli-'));
});

function album(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', 'scripts/album.ts', ...args],
      { cwd: path.resolve(__dirname, '..'), env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:9', OUT_DIR: path.join(scratch, 'out') }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function expectNothingStarted(outcome: { code: number | null; stderr: string }): Promise<void> {
  expect(outcome.code).toBe(2);
  expect(outcome.stderr).toMatch(/nothing was started/);
  expect(outcome.stderr).not.toMatch(/no Temporal server answers|starting the embedded/);
  await expect(readdir(path.join(scratch, 'out'))).rejects.toThrow(/ENOENT/);
}

describe('npm run album with bad input', () => {
  it('lists every manifest error with its path', async () => {
    const file = path.join(scratch, 'bad.yaml');
    await writeFile(file, 'title: ""\ntracks:\n  - title: One\n  - title: Two\n    prompt: rain\n    instrumental: maybe\n');
    const outcome = await album([file]);
    await expectNothingStarted(outcome);
    expect(outcome.stderr).toMatch(/title: must not be empty/);
    expect(outcome.stderr).toMatch(/artist: required/);
    expect(outcome.stderr).toMatch(/tracks\[1\]: needs prompt or lyricsFile/);
    expect(outcome.stderr).toMatch(/tracks\[2\]\.instrumental/);
  }, 90_000);

  it('refuses to start when the estimate exceeds the budget', async () => {
    const outcome = await album(['examples/rainy-day-album.yaml', '--budget', '1']);
    await expectNothingStarted(outcome);
    expect(outcome.stderr).toMatch(/the estimate \(\d+ credits\) exceeds the budget \(1\)/);
  }, 90_000);
});
