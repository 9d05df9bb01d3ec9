// While an album runs, its rows say which step each running track is on (`song queued`), asked from
// each track's own run: the album's own progress only knows that a track runs. Run as a user runs it:
// the album command, output piped (one line per change), against the real stack with provider tasks
// slow enough to be seen in their stages.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPipelineStack, type PipelineStack } from './helpers/pipelineStack';

const ROOT = path.resolve(import.meta.dirname, '..');
let env: PipelineStack;

beforeAll(async () => {
  env = await startPipelineStack('album-steps-', 3, {}, { text: 200, first: 4_000, complete: 9_000 });
}, 180_000);

afterAll(async () => {
  await env?.stop();
});

describe('album progress', () => {
  it("a running track's row names the step its own run is on", async () => {
    const manifest = path.join(env.scratch, 'album.yaml');
    await writeFile(manifest, ['title: Slow Songs', 'artist: The Waiters', 'provider: anyint', 'defaults:', '  steps: [song]', 'tracks:', '  - title: Patience', '    prompt: a kettle that will not boil', ''].join('\n'));
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'scripts', 'album.ts'), manifest, '--out', path.join(env.scratch, 'out')],
        { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', TEMPORAL_ADDRESS: env.stack.address, CALLBACK_SECRET: 'integration-test-secret' }, timeout: 300_000 },
        (error, _stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
    expect(code, stderr).toBe(0);
    const rows = stderr.split('\n').filter((line) => /^\s+1\. Patience/.test(line));
    // The track's state, then its step from the child run: `1. Patience  running  12s  song queued`.
    expect(rows).toContainEqual(expect.stringMatching(/1\. Patience\s+running\s+\S+\s+song (submitting|queued|running|saving)/));
    expect(rows.at(-1)).toMatch(/1\. Patience\s+done/);
  }, 360_000);
});
