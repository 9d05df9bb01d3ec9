// Output folders are proven by writing, and a file activity that cannot write fails at once. As root,
// `--out /proc/nope` once passed the old access() check, lyrics were paid for, and the run hung for
// minutes: Node's recursive mkdir spins forever under /proc (ENOENT for a child of a folder that
// exists), so the activity never answered and failed as a heartbeat timeout. These run against the
// real file system, /proc included.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArtifactActivities } from '../artifacts/artifactActivities';
import { OUTPUT_NOT_WRITABLE, writeFileAtomic } from '../artifacts/atomicFile';
import { makeFolder } from '../runtime/makeFolder';
import { outputFolderProblem } from '../client/outputFolder';
import { LocalArtifactStore } from '../artifacts/store/localStore';
import { closedLoopbackAddress } from './helpers/closedAddress';
import { hashFile } from '../artifacts/atomicFile';
import { createPipelineActivities } from '../pipeline/pipelineActivities';
import { startSimulator } from '../simulator';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));

let scratch: string;
let aFile: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'output-folder-'));
  aFile = path.join(scratch, 'a-file');
  await writeFile(aFile, 'not a folder');
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Resolves with what `promise` rejected with, failing the test if it took longer than `ms` (a spin, not an answer). */
async function rejectionWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  const started = Date.now();
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
  expect(Date.now() - started).toBeLessThan(ms);
  return error;
}

describe('outputFolderProblem', () => {
  it('refuses a folder under /proc at once, with the file system error (root passes access() there)', async () => {
    const problem = await outputFolderProblem('/proc/nope/singles/x', '--out');
    expect(problem).toMatch(/^--out: cannot create \/proc\/nope\/singles\/x: ENOENT/);
  });

  it('refuses a folder that exists but takes no files', async () => {
    expect(await outputFolderProblem('/proc', 'OUT_DIR')).toMatch(/^OUT_DIR: cannot (write in|create) \/proc/);
  });

  it('refuses a path through a file, naming it', async () => {
    expect(await outputFolderProblem(path.join(aFile, 'out'), '--out')).toMatch(/a part of it is a file, not a folder/);
  });

  it('accepts a folder it can write in, and leaves it as it found it (no probe file, no folders it made)', async () => {
    const root = await mkdtemp(path.join(scratch, 'fine-'));
    expect(await outputFolderProblem(path.join(root, 'out', 'singles', 'song-x'), 'OUT_DIR')).toBeUndefined();
    expect(await readdir(root)).toEqual([]);
    await mkdir(path.join(root, 'existing'));
    expect(await outputFolderProblem(path.join(root, 'existing'), 'OUT_DIR')).toBeUndefined();
    expect(await readdir(path.join(root, 'existing'))).toEqual([]);
  });

  it('with files going to a bucket, writes nothing locally and refuses only a folder outside OUT_DIR (it would have no key)', async () => {
    const bucket = { artifactStore: { kind: 's3' as const, bucket: 'music', prefix: 'prod', region: 'us-east-1' }, outDir: '/srv/music/out' };
    // /srv/music/out need not exist on the client's machine: the workers write to the bucket.
    expect(await outputFolderProblem('/srv/music/out/singles/song-x', 'OUT_DIR', bucket)).toBeUndefined();
    expect(await outputFolderProblem('/tmp/elsewhere', '--out', bucket)).toMatch(/^--out: \/tmp\/elsewhere is outside OUT_DIR \(\/srv\/music\/out\), which is the root of the keys in s3:\/\/music/);
  });
});

describe('makeFolder', () => {
  it('makes the missing folders and says which', async () => {
    const root = await mkdtemp(path.join(scratch, 'make-'));
    expect(await makeFolder(path.join(root, 'a', 'b'))).toEqual([path.join(root, 'a'), path.join(root, 'a', 'b')]);
    expect(await makeFolder(path.join(root, 'a', 'b'))).toEqual([]);
  });

  it('answers ENOENT under /proc instead of spinning', async () => {
    const error = (await rejectionWithin(makeFolder('/proc/nope/x'), 5_000)) as NodeJS.ErrnoException;
    expect(error.code).toBe('ENOENT');
  });
});

describe('file activities that cannot write', () => {
  const activities = createArtifactActivities({ downloadTimeoutMs: 5_000, maxDownloadBytes: 1_000_000, store: new LocalArtifactStore() });

  function expectNotWritable(error: unknown, code: string): void {
    expect(error).toBeInstanceOf(ApplicationFailure);
    const failure = error as ApplicationFailure;
    expect(failure.type).toBe(OUTPUT_NOT_WRITABLE);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(code);
  }

  it('writeTextArtifact under /proc fails at once, not retryable, with ENOENT', async () => {
    const error = await rejectionWithin(activities.writeTextArtifact({ dir: '/proc/nope/song', fileName: 'lyrics.txt', text: 'la', kind: 'lyrics' }), 5_000);
    expectNotWritable(error, 'ENOENT');
  });

  it('writeTextArtifact through a file fails with ENOTDIR', async () => {
    const error = await rejectionWithin(activities.writeTextArtifact({ dir: path.join(aFile, 'song'), fileName: 'lyrics.txt', text: 'la', kind: 'lyrics' }), 5_000);
    expectNotWritable(error, 'ENOTDIR');
  });

  it('writeTextArtifact onto a folder where the file should be fails with EISDIR', async () => {
    const dir = await mkdtemp(path.join(scratch, 'isdir-'));
    await mkdir(path.join(dir, 'lyrics.txt'));
    const error = await rejectionWithin(activities.writeTextArtifact({ dir, fileName: 'lyrics.txt', text: 'la', kind: 'lyrics' }), 5_000);
    expectNotWritable(error, 'EISDIR');
  });

  it('storeDownload under /proc fails before it downloads anything', async () => {
    const error = await rejectionWithin(
      activities.storeDownload({ url: 'http://127.0.0.1:9/never-fetched.mp3', dir: '/proc/nope/song', name: 'song', kind: 'audio', check: { media: 'audio' } } as never),
      5_000,
    );
    expectNotWritable(error, 'ENOENT');
  });

  it('writeFileAtomic (album files) fails the same way', async () => {
    const error = await rejectionWithin(writeFileAtomic('/proc/nope/album.json', '{}'), 5_000);
    expectNotWritable(error, 'ENOENT');
  });
});

describe('other folders made from configured paths', () => {
  it('an uploads folder under /proc fails the publish at once, not retryable, with ENOENT', async () => {
    const audio = path.join(scratch, 'voice.wav');
    await writeFile(audio, 'RIFF not really audio');
    const { sha256 } = await hashFile(audio);
    const activities = createPipelineActivities({ callbacks: { publicUrl: 'http://127.0.0.1:9', secret: 's'.repeat(32) }, uploadsDir: '/proc/nope/uploads', store: new LocalArtifactStore() });
    const error = await rejectionWithin(activities.publishUserAudio({ file: audio, sha256, ttlMs: 60_000 }), 5_000);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe(OUTPUT_NOT_WRITABLE);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect((error as ApplicationFailure).message).toMatch(/ENOENT.*\/proc\/nope/);
  });

  it('the simulator refuses a media or state folder under /proc at once', async () => {
    const media = (await rejectionWithin(startSimulator({ port: 0, mediaDir: '/proc/nope/media', log: () => {} }), 5_000)) as NodeJS.ErrnoException;
    expect(media.code).toBe('ENOENT');
    const state = (await rejectionWithin(startSimulator({ port: 0, stateDir: '/proc/nope/state', log: () => {} }), 5_000)) as NodeJS.ErrnoException;
    expect(state.code).toBe('ENOENT');
  });
});

describe('the commands', () => {
  let closedAddress: string;

  beforeAll(async () => {
    closedAddress = await closedLoopbackAddress();
  });

  function command(script: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (/^(MUSIC_|CALLBACK|TEMPORAL_|SIMULATOR_|OUT_DIR$)|_(BASE_URL|API_KEY)$/.test(key)) continue;
      env[key] = value;
    }
    return new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', script, ...args], { cwd: PROJECT, env: { ...env, TEMPORAL_ADDRESS: closedAddress }, timeout: 60_000 }, (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
      );
    });
  }

  it('album --out /proc/nope exits 2 before contacting Temporal', async () => {
    const outcome = await command('scripts/album.ts', ['examples/instrumental-ep.yaml', '--out', '/proc/nope']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/--out: cannot create \/proc\/nope\/\S+: ENOENT.*nothing was started/);
    expect(outcome.stderr).not.toContain('no Temporal server answers');
  }, 90_000);

  it('song --out /proc/nope exits 2 before contacting Temporal', async () => {
    const outcome = await command('scripts/song.ts', ['--prompt', 'rain', '--out', '/proc/nope']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/--out: cannot create \/proc\/nope\/singles\/song-rain-\S+: ENOENT/);
    expect(outcome.stderr).not.toContain('no Temporal server answers');
  }, 90_000);
});
