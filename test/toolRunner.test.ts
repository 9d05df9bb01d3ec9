// ffmpeg and ffprobe run from a helper process (runtime/toolRunner.ts), so that the worker does not
// fork itself for each: what a caller gets back must be what the tool printed and how it exited, a
// helper that dies must fail only the runs it had, and an idle helper must not keep a process alive.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegPath, probeMedia, runFfmpeg, runFfprobe } from '../runtime/ffmpeg';
import { runInToolProcess } from '../runtime/toolRunner';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tool-runner-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tools run from the helper process', () => {
  it('hands back what the tool wrote and read, and a probe of it', async () => {
    const file = path.join(dir, 'tone.mp3');
    await runFfmpeg(['-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-ac', '2', '-codec:a', 'libmp3lame', file]);
    const probe = await probeMedia(file);
    expect(probe.durationSeconds).toBeCloseTo(2, 0);
    expect(probe.streams.map((s) => s.codecName)).toEqual(['mp3']);
    // Bytes given on stdin reach the tool unchanged (ffmpeg decodes the file from its standard input).
    const piped = await runInToolProcess(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-i', 'pipe:0', '-f', 'null', '-'], await readFile(file));
    expect(piped.code).toBe(0);
  });

  it('fails with the tool\'s own complaint, and names a binary that cannot start', async () => {
    await expect(runFfprobe(['-v', 'error', path.join(dir, 'missing.mp3')])).rejects.toThrow(/ffprobe exited with 1: .*missing\.mp3/);
    await expect(runInToolProcess(path.join(dir, 'no-such-tool'), [])).rejects.toThrow(/cannot start .*no-such-tool/);
  });

  it('a helper killed mid-run fails the runs it had, and the next run starts a new one', async () => {
    const running = runInToolProcess('/bin/sh', ['-c', 'kill -9 $PPID; sleep 5']);
    await expect(running).rejects.toThrow(/the helper running \/bin\/sh exited/);
    const after = await runInToolProcess('/bin/sh', ['-c', 'printf ok']);
    expect(after.stdout.toString()).toBe('ok');
  });

  it('does not keep a finished process alive', async () => {
    // A script that probes once and returns: it must exit by itself, with the helper gone too.
    const script = `import { runFfprobe } from ${JSON.stringify(path.resolve(__dirname, '../runtime/ffmpeg.ts'))}; const v = await runFfprobe(['-version']); console.log(v.split(' ')[0]);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 30_000, cwd: path.resolve(__dirname, '..') });
    expect(stdout.trim()).toBe('ffprobe');
  });
});
