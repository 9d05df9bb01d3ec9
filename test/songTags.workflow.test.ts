// A single's song.mp3 is tagged like an album track, on the time-skipping server with the real
// activities: the tags read back with node-id3, track.json records the tagged file, and a rerun that
// reuses everything neither pays nor rewrites the file; a song whose tags a player changed is still
// reused (its audio is intact) and tagged again.
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TagSongInput, TagSongResult } from '../contracts/artifacts';
import type { SongPipelineInput, SongPipelineResult } from '../contracts/songPipeline';
import type { TrackManifest } from '../contracts/trackManifest';
import { readTags, tagMp3 } from '../artifacts/id3Tags';
import { probeMedia } from '../runtime/ffmpeg';
import { createWorkflowHarness, finishTasksAsTheyCome, type WorkflowHarness } from './helpers/workflowHarness';

let harness: WorkflowHarness;

beforeAll(async () => {
  harness = await createWorkflowHarness();
});

afterAll(async () => {
  await harness?.teardown();
});

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** Runs the song with a worker whose tagSong calls are recorded. */
async function runSong(args: SongPipelineInput, workflowId: string): Promise<{ result: SongPipelineResult; tagged: TagSongResult[]; paid: number }> {
  const tagged: TagSongResult[] = [];
  const before = harness.provider.tasks.length;
  const stop = finishTasksAsTheyCome(harness.provider);
  try {
    const result = await harness.withWorker(
      async () => (await harness.start(args, workflowId)).result() as Promise<SongPipelineResult>,
      (real) => ({
        async tagSong(input: TagSongInput) {
          const done = await real.tagSong(input);
          tagged.push(done);
          return done;
        },
      }),
    );
    return { result, tagged, paid: harness.provider.tasks.length - before };
  } finally {
    stop();
  }
}

describe("a single's song.mp3", () => {
  const args = () => harness.input({ request: { prompt: 'a tagged single', instrumental: false, style: 'synth pop' }, steps: ['lyrics', 'song', 'timestamped-lyrics'] });

  it('is tagged in place with title, style, cover and lyrics, and track.json records the tagged file', async () => {
    const input = args();
    const { result, tagged, paid } = await runSong(input, 'wf-tagged-single');
    expect(paid).toBe(2); // lyrics and song; the timed lyrics answer at once
    expect(result.status).toBe('succeeded');
    expect(tagged.map((t) => t.retagged)).toEqual([true]);

    const song = path.join(input.outDir, 'song.mp3');
    const tags = readTags(song);
    expect(tags.title).toBe(result.title);
    expect(tags.genre).toBe('synth pop');
    expect(tags.unsynchronisedLyrics?.text).toContain('scripted words');
    expect(tags.synchronisedLyrics?.[0]?.synchronisedText.map((l) => l.text)).toEqual(['scripted words']);
    expect((tags.image as { imageBuffer: Buffer }).imageBuffer.equals(await readFile(path.join(input.outDir, 'cover.png')))).toBe(true);
    // Still the same song: it decodes to the length the download had.
    const audio = result.artifacts.find((a) => a.kind === 'audio')!;
    expect((await probeMedia(song)).durationSeconds).toBeCloseTo(audio.durationSeconds!, 1);

    const manifest = JSON.parse(await readFile(path.join(input.outDir, 'track.json'), 'utf8')) as TrackManifest;
    const listed = manifest.files.find((f) => f.file === 'song.mp3')!;
    expect(listed.sha256).toBe(await sha256(song));
    expect(listed.audioSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(audio.sha256).toBe(listed.sha256);
  });

  it('run again, reuses the tagged song without paying and without rewriting it', async () => {
    const input = args();
    await runSong(input, 'wf-tagged-rerun');
    const song = path.join(input.outDir, 'song.mp3');
    const before = { sha256: await sha256(song), ino: (await stat(song)).ino, mtimeMs: (await stat(song)).mtimeMs };

    const { result, tagged, paid } = await runSong(input, 'wf-tagged-rerun');
    expect(paid).toBe(0);
    expect(result.steps.filter((s) => s.reused).map((s) => s.stepId).sort()).toEqual(['lyrics', 'song', 'timestamped-lyrics']);
    expect(tagged.map((t) => t.retagged)).toEqual([false]);
    const after = await stat(song);
    expect({ sha256: await sha256(song), ino: after.ino, mtimeMs: after.mtimeMs }).toEqual(before);
    const manifest = JSON.parse(await readFile(path.join(input.outDir, 'track.json'), 'utf8')) as TrackManifest;
    expect(manifest.files.find((f) => f.file === 'song.mp3')!.sha256).toBe(before.sha256);
  });

  it('whose tags a player changed is still reused (the audio is intact) and tagged again', async () => {
    const input = args();
    const first = await runSong(input, 'wf-tagged-player');
    const song = path.join(input.outDir, 'song.mp3');
    await writeFile(song, tagMp3(await readFile(song), { title: 'Renamed in a player' }));

    const { result, tagged, paid } = await runSong(input, 'wf-tagged-player');
    expect(paid).toBe(0);
    expect(result.steps.find((s) => s.stepId === 'song')?.reused).toBe(true);
    expect(tagged.map((t) => t.retagged)).toEqual([true]);
    expect(readTags(song).title).toBe(first.result.title);
    const manifest = JSON.parse(await readFile(path.join(input.outDir, 'track.json'), 'utf8')) as TrackManifest;
    expect(manifest.files.find((f) => f.file === 'song.mp3')!.sha256).toBe(await sha256(song));
  });

  it('of an album track is left as the provider made it (the album tags its own copies)', async () => {
    const input = { ...args(), tagSong: false };
    const { result, tagged } = await runSong(input, 'wf-untagged-track');
    expect(tagged).toEqual([]);
    expect(readTags(path.join(input.outDir, 'song.mp3')).title).not.toBe(result.title);
  });
});
