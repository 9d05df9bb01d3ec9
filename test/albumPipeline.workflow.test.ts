// Albums on the time-skipping server: lyrics for all tracks at once, one persona for every later
// vocal track, a track that runs a pipeline definition, a second start attaching to the same run,
// and each failure policy.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlbumPipelineInput, AlbumPipelineResult, FailurePolicy } from '../contracts/albumPipeline';
import { albumProgressQuery } from '../contracts/albumMessages';
import { createWorkflowHarness, type WorkflowHarness } from './helpers/workflowHarness';
import type { ScriptedTask } from './helpers/scriptedProvider';
import { loadTrackPipeline } from '../album/manifest/trackPipeline';

let harness: WorkflowHarness;
let albums = 0;

beforeAll(async () => {
  harness = await createWorkflowHarness();
});

afterAll(async () => {
  await harness?.teardown();
});

function album(overrides: Partial<AlbumPipelineInput> = {}, trackCount = 3): AlbumPipelineInput {
  albums++;
  const albumId = `test-album-${albums}`;
  return {
    albumId,
    title: `Test Album ${albums}`,
    artist: 'Tester',
    provider: 'anyint',
    outDir: harness.folder(albumId),
    tracks: Array.from({ length: trackCount }, (_, i) => ({
      number: i + 1,
      title: `Track ${i + 1}`,
      request: { prompt: `track ${i + 1} of album ${albums}`, instrumental: false, style: 'pop' },
      steps: ['lyrics', 'song'],
      outDir: harness.folder(`${albumId}/${String(i + 1).padStart(2, '0')}`),
      fileStem: `${String(i + 1).padStart(2, '0')} - Track ${i + 1}`,
    })),
    persona: { strategy: 'none' },
    concurrency: 2,
    failurePolicy: { mode: 'skip' },
    callbacks: false,
    ...overrides,
  };
}

/** Lets every task submitted from now on finish, except those `fail` picks, which fail. */
function provideSongs(fail: (t: ScriptedTask) => boolean = () => false): () => void {
  let next = harness.provider.tasks.length;
  const timer = setInterval(() => {
    for (; next < harness.provider.tasks.length; next++) {
      const t = harness.provider.tasks[next]!;
      harness.provider.setStatus(t.taskId, fail(t) ? 'GENERATE_AUDIO_FAILED' : 'SUCCESS');
    }
  }, 20);
  return () => clearInterval(timer);
}

const start = (input: AlbumPipelineInput) =>
  harness.env.client.workflow.start('albumPipeline', { taskQueue: harness.taskQueue, workflowId: `album-${input.albumId}`, args: [input], workflowIdConflictPolicy: 'USE_EXISTING' });

describe('albumPipeline', () => {
  it('writes lyrics for every track first, makes the persona once, and sings every later track with it', async () => {
    await harness.withWorker(async () => {
      const before = harness.provider.tasks.length;
      const input = album({ persona: { strategy: 'from-track', track: 1 } });
      const stop = provideSongs();
      const handle = await start(input);
      // A second start of the same album attaches to the running run.
      const again = await start(input);
      expect(again.firstExecutionRunId).toBe(handle.firstExecutionRunId);
      const result: AlbumPipelineResult = await handle.result().finally(stop);

      expect(result.status).toBe('succeeded');
      const tasks = harness.provider.tasks.slice(before);
      const firstSong = tasks.findIndex((t) => t.route === 'generate');
      expect(tasks.slice(0, firstSong).map((t) => t.route)).toEqual(['generate-lyrics', 'generate-lyrics', 'generate-lyrics']);
      const songs = tasks.filter((t) => t.route === 'generate');
      expect(songs).toHaveLength(3);
      expect(result.personaId).toBeTruthy();
      expect(songs[0]!.body.personaId).toBeUndefined();
      expect(songs.slice(1).map((t) => t.body.personaId)).toEqual([result.personaId, result.personaId]);
      expect(result.tracks.map((t) => t.workflowId)).toEqual([`album-${input.albumId}-t01`, `album-${input.albumId}-t02`, `album-${input.albumId}-t03`]);

      // The album folder: tagged copies, a playlist in track order, and album.json listing every track.
      expect(result.tracks.map((t) => path.basename(t.tagged!.path))).toEqual(['01 - Track 1.mp3', '02 - Track 2.mp3', '03 - Track 3.mp3']);
      const playlist = await readFile(result.files.find((f) => f.kind === 'playlist')!.path, 'utf8');
      expect(playlist.match(/^[^#].*\.mp3$/gm)).toEqual(['01 - Track 1.mp3', '02 - Track 2.mp3', '03 - Track 3.mp3']);
      const albumJson = JSON.parse(await readFile(result.files.find((f) => f.kind === 'album-manifest')!.path, 'utf8'));
      expect(albumJson.tracks).toHaveLength(3);
      // Not asked to analyse: no track was.
      expect(result.tracks.every((t) => t.analysis === undefined && t.analysisError === undefined)).toBe(true);
    });
  });

  it('runs a track with a pipeline definition as a child pipelineRun that sings with the album persona; its final audio goes on the album; a rerun pays nothing', async () => {
    await harness.withWorker(async () => {
      const input = album({ persona: { strategy: 'from-track', track: 1 }, prices: { lyrics: 1, song: 12, persona: 1, wav: 1, 'cover-art': 1 } }, 2);
      const dir = harness.folder(`${input.albumId}-definitions`);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'art.yaml'), 'name: art\nsteps:\n  song:\n    kind: song\n  wav:\n    kind: wav\n    clip: song\n  art:\n    kind: cover-art\n    clip: song\n');
      const two = input.tracks[1]!;
      const loaded = await loadTrackPipeline('art.yaml', dir, 'anyint', { title: two.title, prompt: two.request.prompt, style: 'pop', instrumental: false, persona: 'album' });
      if (!loaded.ok || loaded.pipeline.kind !== 'definition') throw new Error(loaded.ok ? 'not a definition' : loaded.errors.join('; '));
      expect(loaded.pipeline.personaSteps).toEqual(['song']);
      expect(loaded.pipeline.plan.final).toBe('song');
      two.pipeline = { definition: 'art.yaml', plan: loaded.pipeline.plan, personaSteps: loaded.pipeline.personaSteps };

      const before = harness.provider.tasks.length;
      const stop = provideSongs();
      const result: AlbumPipelineResult = await (await start(input)).result().finally(stop);
      expect(result.status).toBe('succeeded');
      const tasks = harness.provider.tasks.slice(before);
      // The album writes lyrics for its song track only; the definition track's song carries the
      // track's prompt and sings with the persona track 1 made.
      expect(tasks.filter((t) => t.route === 'generate-lyrics')).toHaveLength(1);
      // (Without lyrics anyint makes the song from the prompt alone: title and style are custom-mode fields.)
      const definitionSong = tasks.find((t) => t.route === 'generate' && t.body.prompt === two.request.prompt);
      expect(definitionSong?.body).toMatchObject({ customMode: false, personaId: result.personaId });
      expect(result.personaId).toBeTruthy();
      expect(tasks.map((t) => t.route).sort()).toEqual(['generate', 'generate', 'generate-cover', 'generate-lyrics', 'wav-generate']);

      const track = result.tracks[1]!;
      expect(track.workflowId).toBe(`album-${input.albumId}-t02`);
      expect(track.run?.finalAudio?.path).toBe(path.join(two.outDir, 'song.mp3'));
      expect(track.creditsSpent).toBe(12 + 1 + 1);
      // Tagged from the definition's final audio, with the definition's cover art.
      expect(path.basename(track.tagged!.path)).toBe('02 - Track 2.mp3');
      const albumJson = JSON.parse(await readFile(result.files.find((f) => f.kind === 'album-manifest')!.path, 'utf8'));
      const listed = albumJson.tracks[1].files.find((f: { kind: string }) => f.kind === 'tagged-audio');
      expect(listed.sha256).toBe(createHash('sha256').update(await readFile(track.tagged!.path)).digest('hex'));
      expect(albumJson.tracks[1].runId).toBe(track.run!.runId);
      // The album's own cover: track 1's image, copied beside album.json and listed with its sha256.
      const albumCover = result.files.find((f) => f.kind === 'cover')!;
      expect(albumCover.path).toBe(path.join(input.outDir, 'cover.png'));
      expect(albumJson.files).toContainEqual(expect.objectContaining({ file: 'cover.png', kind: 'cover', sha256: createHash('sha256').update(await readFile(albumCover.path)).digest('hex') }));

      // Again: every step of both tracks is reused, nothing is submitted, nothing is spent.
      const paid = harness.provider.tasks.length;
      const again: AlbumPipelineResult = await (await start(input)).result();
      expect(again.status).toBe('succeeded');
      expect(harness.provider.tasks.length).toBe(paid);
      expect(again.creditsSpent).toBe(0);
      expect([...again.tracks[1]!.run!.reusedSteps].sort()).toEqual(['art', 'song', 'wav']);
      expect(again.tracks[1]!.tagged!.sha256).toBe(track.tagged!.sha256);
      expect(again.files.find((f) => f.kind === 'cover')?.sha256).toBe(albumCover.sha256);
    });
  });

  it('measures tempo and key when asked; an album whose analysis fails still finishes and says why; report.html comes last', async () => {
    await harness.withWorker(async () => {
      const input = album({ analysis: true }, 2);
      const stop = provideSongs();
      const result: AlbumPipelineResult = await (await start(input)).result().finally(stop);
      expect(result.status).toBe('succeeded');
      // The scripted provider's song is a steady 440 Hz tone: there is no beat to count.
      for (const t of result.tracks) {
        expect(t.analysis).toBeUndefined();
        expect(t.analysisError).toMatch(/no steady beat/);
        expect(t.tagged).toBeDefined();
      }
      const albumJson = JSON.parse(await readFile(result.files.find((f) => f.kind === 'album-manifest')!.path, 'utf8'));
      expect(albumJson.tracks.map((t: { analysisError?: string }) => t.analysisError)).toEqual([expect.stringMatching(/no steady beat/), expect.stringMatching(/no steady beat/)]);
      const report = result.files.find((f) => f.kind === 'report')!;
      expect(path.basename(report.path)).toBe('report.html');
      const html = await readFile(report.path, 'utf8');
      expect(createHash('sha256').update(html).digest('hex')).toBe(report.sha256);
      expect(html.match(/<img class="waveform"/g)).toHaveLength(2);
      expect(html).toContain('Track 2');
    });
    // librosa loads its compiled code in each of the two analyses: tens of seconds on a busy machine.
  }, 300_000);

  it('skips a failing track and finishes the others (policy skip)', async () => {
    await harness.withWorker(async () => {
      const input = album({ failurePolicy: { mode: 'skip' } });
      const stop = provideSongs((t) => t.route === 'generate' && String(t.body.title) === 'Track 2');
      const result: AlbumPipelineResult = await (await start(input)).result().finally(stop);
      expect(result.status).toBe('partial');
      expect(result.tracks.map((t) => t.state)).toEqual(['succeeded', 'failed', 'succeeded']);
      expect(result.tracks[1]!.error).toMatch(/step song: anyint task .* failed/);
    });
  });

  it('retries a failing track up to the policy’s attempts (policy retry)', async () => {
    await harness.withWorker(async () => {
      const input = album({ failurePolicy: { mode: 'retry', attempts: 2 } as FailurePolicy });
      let failures = 0;
      const stop = provideSongs((t) => t.route === 'generate' && String(t.body.title) === 'Track 3' && failures++ < 1);
      const result: AlbumPipelineResult = await (await start(input)).result().finally(stop);
      expect(result.status).toBe('succeeded');
      expect(result.tracks[2]).toMatchObject({ state: 'succeeded', attempts: 2 });
    });
  });

  it('fails the album and starts no further track (policy fail-album)', async () => {
    await harness.withWorker(async () => {
      const input = album({ failurePolicy: { mode: 'fail-album' }, concurrency: 1 });
      const stop = provideSongs((t) => t.route === 'generate' && String(t.body.title) === 'Track 1');
      const handle = await start(input);
      const err = await handle.result().finally(stop).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(((err as WorkflowFailedError).cause as Error).message).toMatch(/track 1 failed/);
      const progress = await handle.query(albumProgressQuery);
      expect(progress.tracks.map((t) => t.state)).toEqual(['failed', 'skipped', 'skipped']);
    });
  });

  it('keeps two albums started at once within the provider’s running-task limit', async () => {
    /** Finishes each task after it has been polled twice (not by wall time: the test server skips time). */
    const slowProvider = () => {
      const timer = setInterval(() => {
        for (const t of harness.provider.tasks) if (t.status === 'PENDING' && t.queries >= 2) harness.provider.setStatus(t.taskId, 'SUCCESS');
      }, 10);
      return () => clearInterval(timer);
    };
    const twoAlbums = async () => {
      harness.provider.maxUnfinished = 0;
      const stop = slowProvider();
      const runs = await Promise.all([start(album({ concurrency: 3 })), start(album({ concurrency: 3 }))]);
      // One result() at a time: each unlocks the test server's time skipping while it waits, and
      // concurrent waits would lock it again as soon as the first album finishes.
      const results: AlbumPipelineResult[] = [];
      try {
        for (const run of runs) results.push(await run.result());
      } finally {
        stop();
      }
      expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      return harness.provider.maxUnfinished;
    };

    // Without a limit, six lyrics tasks run at once; with a limit of two, never more than two.
    harness.slotLimit = undefined;
    expect(await harness.withWorker(twoAlbums)).toBeGreaterThan(2);
    harness.slotLimit = 2;
    try {
      expect(await harness.withWorker(twoAlbums)).toBeLessThanOrEqual(2);
    } finally {
      harness.slotLimit = undefined;
    }
  });
});
