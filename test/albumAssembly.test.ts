import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlbumAssemblyActivities } from '../album/assembly/albumAssembly';
import type { AlbumJson } from '../contracts/albumFiles';
import { readTags, stripId3 } from '../artifacts/id3Tags';
import { parseLrc } from '../artifacts/lrcParse';
import { ffprobePath, probeMedia, runFfmpeg } from '../runtime/ffmpeg';
import type { TrackManifest } from '../contracts/trackManifest';
import { LocalArtifactStore } from '../artifacts/store/localStore';

const run = promisify(execFile);
const activities = createAlbumAssemblyActivities(new LocalArtifactStore());

let dir: string;
let tone: string; // 3 s MP3, with an ID3v2.4 tag from ffmpeg naming another title
let cover: string;
let lrc: string;

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

async function ffprobeJson(file: string): Promise<{ format: { tags?: Record<string, string> }; streams: { codec_type: string; codec_name: string; disposition?: { attached_pic?: number } }[] }> {
  const { stdout } = await run(ffprobePath(), ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file]);
  return JSON.parse(stdout);
}

async function partFiles(folder: string): Promise<string[]> {
  return (await readdir(folder, { recursive: true })).filter((f) => String(f).endsWith('.part')).map(String);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'album-assembly-'));
  tone = path.join(dir, 'song.mp3');
  cover = path.join(dir, 'cover.png');
  lrc = path.join(dir, 'lyrics.lrc');
  await runFfmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-af', 'volume=0.25', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '128k', '-metadata', 'title=Old Title', tone]);
  await runFfmpeg(['-f', 'lavfi', '-i', 'color=c=steelblue:s=64x64:d=1', '-frames:v', '1', cover]);
  await writeFile(lrc, '[ti:Tone]\n[length:00:03]\n[00:00.50]First line\n[00:01.25]Second line\n\n[00:02.00]Ünïcode line\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('timed lyrics file', () => {
  it('reads stamps in every common spelling, repeated stamps and an offset', () => {
    const text = '[ar:Someone]\n[offset:+250]\n[00:01.00][00:05.5]Chorus\n[00:02:50]Colon hundredths\n[01:02.345]Milliseconds\n[00:03]Whole seconds\n[00:04.00]\n';
    expect(parseLrc(text)).toEqual([
      { timeMs: 750, text: 'Chorus' },
      { timeMs: 2250, text: 'Colon hundredths' },
      { timeMs: 2750, text: 'Whole seconds' },
      { timeMs: 5250, text: 'Chorus' },
      { timeMs: 62095, text: 'Milliseconds' },
    ]);
  });
});

describe('tagTrack', () => {
  it('writes every tag into a copy that players and ffprobe read back; the original is untouched', async () => {
    const before = await sha256(tone);
    const outPath = path.join(dir, 'album', '03 - Tone.mp3');
    const result = await activities.tagTrack({
      mp3Path: tone,
      outPath,
      title: 'Tone',
      artist: 'The Oscillators',
      album: 'Test Signals',
      trackNumber: 3,
      trackCount: 12,
      year: 2025,
      genre: 'Electronic',
      coverPath: cover,
      lyricsText: 'First line\nSecond line\nÜnïcode line',
      lrcPath: lrc,
    });
    expect(await sha256(tone)).toBe(before);
    expect(result).toMatchObject({ path: outPath, sha256: await sha256(outPath) });
    expect(result.durationSeconds).toBeCloseTo((await probeMedia(tone)).durationSeconds, 2);
    expect(result.frames).toEqual(['TIT2', 'TPE1', 'TPE2', 'TALB', 'TRCK', 'TYER', 'TCON', 'APIC', 'USLT', 'SYLT']);
    expect(await partFiles(dir)).toEqual([]);

    // The ID3 library's own reader.
    const tags = readTags(outPath);
    expect(tags).toMatchObject({ title: 'Tone', artist: 'The Oscillators', performerInfo: 'The Oscillators', album: 'Test Signals', trackNumber: '3/12', year: '2025', genre: 'Electronic' });
    expect(tags.unsynchronisedLyrics).toMatchObject({ language: 'eng', text: 'First line\nSecond line\nÜnïcode line' });
    expect(tags.synchronisedLyrics?.[0]).toMatchObject({
      timeStampFormat: 2,
      contentType: 1,
      synchronisedText: [
        { text: 'First line', timeStamp: 500 },
        { text: 'Second line', timeStamp: 1250 },
        { text: 'Ünïcode line', timeStamp: 2000 },
      ],
    });
    const image = tags.image as { mime: string; type: { id: number }; imageBuffer: Buffer };
    expect(image.mime).toBe('image/png');
    expect(image.type.id).toBe(3); // front cover
    expect(image.imageBuffer.equals(await readFile(cover))).toBe(true);

    // What a player built on ffmpeg sees: the tags, the track as n/N, and the cover as an attached picture.
    const probe = await ffprobeJson(outPath);
    expect(probe.format.tags).toMatchObject({ title: 'Tone', artist: 'The Oscillators', album: 'Test Signals', track: '3/12', date: '2025', genre: 'Electronic' });
    expect(probe.streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('mp3');
    expect(probe.streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'png', disposition: { attached_pic: 1 } });
  });

  it('replaces old tags instead of stacking them, so tagging again gives the same bytes', async () => {
    const first = await activities.tagTrack({ mp3Path: tone, outPath: path.join(dir, 'again.mp3'), title: 'Again', artist: 'A', album: 'B', trackNumber: 1, trackCount: 2 });
    // ffmpeg's own tag (title=Old Title) is gone.
    expect((await ffprobeJson(first.path)).format.tags?.title).toBe('Again');
    // In place, over a file that already has our tag.
    const second = await activities.tagTrack({ mp3Path: first.path, outPath: first.path, title: 'Again', artist: 'A', album: 'B', trackNumber: 1, trackCount: 2 });
    expect(second.sha256).toBe(first.sha256);
    expect(second.bytes).toBe(first.bytes);
    expect(stripId3(await readFile(second.path)).equals(stripId3(await readFile(tone)))).toBe(true);
  });

  it('writes beside the song as <name>.tagged.mp3 when no outPath is given, and derives plain lyrics from the .lrc', async () => {
    const result = await activities.tagTrack({ mp3Path: tone, title: 'Tone', artist: 'A', album: 'B', trackNumber: 1, trackCount: 1, lrcPath: lrc });
    expect(result.path).toBe(path.join(dir, 'song.tagged.mp3'));
    expect(readTags(result.path).unsynchronisedLyrics?.text).toBe('First line\nSecond line\nÜnïcode line');
    expect(result.frames).not.toContain('APIC');
  });

  it('converts WebP cover art to PNG (players rarely show WebP)', async () => {
    const webp = path.join(dir, 'cover.webp');
    await runFfmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=32x32:d=1', '-frames:v', '1', '-c:v', 'libwebp', webp]);
    const result = await activities.tagTrack({ mp3Path: tone, outPath: path.join(dir, 'webp.mp3'), title: 'W', artist: 'A', album: 'B', trackNumber: 1, trackCount: 1, coverPath: webp });
    expect((readTags(result.path).image as { mime: string }).mime).toBe('image/png');
  });

  it('refuses, without retries, a missing song, a file that is not an MP3, and a cover that is not an image', async () => {
    const wav = path.join(dir, 'song.wav');
    await runFfmpeg(['-f', 'lavfi', '-i', 'sine=duration=1', wav]);
    const base = { title: 'T', artist: 'A', album: 'B', trackNumber: 1, trackCount: 1 };
    for (const [input, message] of [
      [{ ...base, mp3Path: path.join(dir, 'nope.mp3') }, /song .*nope\.mp3 does not exist/],
      [{ ...base, mp3Path: wav }, /is not an MP3/],
      [{ ...base, mp3Path: tone, outPath: path.join(dir, 'x.mp3'), coverPath: lrc }, /is not a PNG, JPEG or WebP image/],
    ] as const) {
      const error = await activities.tagTrack(input).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(ApplicationFailure);
      expect((error as ApplicationFailure).nonRetryable).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
    await expect(readFile(path.join(dir, 'x.mp3'))).rejects.toThrow();
  });
});

describe('normalizeLoudness', () => {
  it('writes a separate mastered file within 1 LU of the target', async () => {
    const before = await sha256(tone);
    for (const targetLufs of [-14, -23]) {
      const outPath = path.join(dir, 'mastered', `tone${targetLufs}.mp3`);
      const result = await activities.normalizeLoudness({ inPath: tone, outPath, targetLufs });
      expect(result.path).toBe(outPath);
      expect(result.sha256).toBe(await sha256(outPath));
      expect(Math.abs(result.after.integratedLufs - targetLufs)).toBeLessThanOrEqual(1);
      // The tone has room below the peak ceiling, so one gain does it: its dynamics are kept.
      expect(result.normalization).toBe('linear');
      expect(Math.abs(result.before.integratedLufs - targetLufs)).toBeGreaterThan(1);
      expect(result.after.truePeakDb).toBeLessThanOrEqual(-1 + 0.5);
      expect(result.durationSeconds).toBeGreaterThan(2.9);
      expect((await probeMedia(outPath)).streams.map((s) => s.codecName)).toEqual(['mp3']);
    }
    expect(await sha256(tone)).toBe(before);
    expect(await partFiles(dir)).toEqual([]);
  });

  it('writes WAV when asked by the extension, and refuses to overwrite its input or master silence', async () => {
    const wav = await activities.normalizeLoudness({ inPath: tone, outPath: path.join(dir, 'mastered', 'tone.wav'), targetLufs: -16 });
    expect((await probeMedia(wav.path)).streams[0]?.codecName).toBe('pcm_s16le');
    expect(Math.abs(wav.after.integratedLufs + 16)).toBeLessThanOrEqual(1);

    await expect(activities.normalizeLoudness({ inPath: tone, outPath: tone, targetLufs: -14 })).rejects.toThrow(/separate file/);
    await expect(activities.normalizeLoudness({ inPath: tone, outPath: path.join(dir, 'x.ogg'), targetLufs: -14 })).rejects.toThrow(/\.mp3, \.wav, \.flac, \.m4a/);
    const silence = path.join(dir, 'silence.mp3');
    await runFfmpeg(['-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=stereo', '-t', '2', '-c:a', 'libmp3lame', silence]);
    const error = await activities.normalizeLoudness({ inPath: silence, outPath: path.join(dir, 'mastered', 'silence.mp3'), targetLufs: -14 }).catch((e: unknown) => e);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect((error as Error).message).toMatch(/silent/);
  });
});

describe('playlist and album.json', () => {
  let albumDir: string;
  let trackDir: string;

  beforeAll(async () => {
    albumDir = path.join(dir, 'rainy-days');
    trackDir = path.join(albumDir, '01-tone');
    await mkdir(path.join(trackDir, 'stems'), { recursive: true });
    for (const [from, to] of [[tone, 'song.mp3'], [cover, 'cover.png'], [lrc, 'lyrics.lrc']] as const) await writeFile(path.join(trackDir, to), await readFile(from));
    await writeFile(path.join(trackDir, 'stems', 'vocals.mp3'), await readFile(tone));
    const file = async (name: string, kind: TrackManifest['files'][number]['kind'], durationSeconds?: number) => ({
      file: name,
      kind,
      sha256: await sha256(path.join(trackDir, name)),
      bytes: (await readFile(path.join(trackDir, name))).length,
      ...(durationSeconds ? { durationSeconds } : {}),
      source: { provider: 'anyint' as const, taskId: 'song-task-1', clipId: 'clip-1', url: `http://media.example/${name}` },
    });
    const manifest: TrackManifest = {
      version: 1,
      title: 'Tone',
      provider: 'anyint',
      workflowId: 'album-rainy-days-01',
      runId: 'run-1',
      request: { prompt: 'a tone', instrumental: false },
      clip: { taskId: 'song-task-1', clipId: 'clip-1', durationSeconds: 3 },
      personaId: 'persona-9',
      steps: {
        song: { state: 'succeeded', taskId: 'song-task-1', files: ['song.mp3', 'cover.png'] },
        stems: { state: 'succeeded', taskId: 'stems-task-1', files: ['stems/vocals.mp3'] },
        'timestamped-lyrics': { state: 'succeeded', taskId: 'lrc-task-1', files: ['lyrics.lrc'] },
      },
      files: [await file('song.mp3', 'audio', 3.05), await file('cover.png', 'cover'), await file('stems/vocals.mp3', 'stem', 3.05), await file('lyrics.lrc', 'lrc')],
    };
    await writeFile(path.join(trackDir, 'track.json'), JSON.stringify(manifest, null, 2));
  });

  it('writes an .m3u8 with #EXTINF lengths and paths relative to the album folder', async () => {
    const tagged = await activities.tagTrack({ mp3Path: path.join(trackDir, 'song.mp3'), outPath: path.join(albumDir, '01 - Tone.mp3'), title: 'Tone', artist: 'The Oscillators', album: 'Rainy Days', trackNumber: 1, trackCount: 2 });
    const result = await activities.writePlaylist({
      albumDir,
      title: 'Rainy Days',
      entries: [
        { path: tagged.path, title: 'Tone', artist: 'The Oscillators', durationSeconds: tagged.durationSeconds },
        // Probed when no duration is given; a line break in a title must not break the line.
        { path: path.join(trackDir, 'stems', 'vocals.mp3'), title: 'Tone\n(vocals)' },
      ],
    });
    expect(result.path).toBe(path.join(albumDir, 'playlist.m3u8'));
    const text = await readFile(result.path, 'utf8');
    expect(text).toBe(['#EXTM3U', '#PLAYLIST:Rainy Days', '#EXTINF:3,The Oscillators - Tone', '01 - Tone.mp3', '#EXTINF:3,Tone (vocals)', '01-tone/stems/vocals.mp3', ''].join('\n'));
    expect(result.sha256).toBe(await sha256(result.path));
  });

  it('lists every track and file with sha256, duration, provider ids and credits', async () => {
    const tagged = path.join(albumDir, '01 - Tone.mp3');
    const playlist = path.join(albumDir, 'playlist.m3u8');
    const result = await activities.writeAlbumManifest({
      albumDir,
      album: { id: 'rainy-days-abc123', title: 'Rainy Days', artist: 'The Oscillators', year: 2025, provider: 'anyint', persona: { strategy: 'from-track', track: 1, personaId: 'persona-9' }, credits: { estimated: 40, budget: 100 } },
      tracks: [
        { number: 2, title: 'Skipped', state: 'skipped', error: 'step song: task failed', attempts: 3, credits: { estimated: 14, spent: 0 } },
        { number: 1, title: 'Tone', state: 'succeeded', trackDir, files: [{ path: tagged, kind: 'tagged-audio', sha256: await sha256(tagged) }], credits: { estimated: 26, spent: 25 } },
      ],
      files: [{ path: playlist, kind: 'playlist' }],
    });
    expect(result.path).toBe(path.join(albumDir, 'album.json'));
    const album = JSON.parse(await readFile(result.path, 'utf8')) as AlbumJson;
    expect(album).toMatchObject({ version: 1, id: 'rainy-days-abc123', provider: 'anyint', trackCount: 2, credits: { estimated: 40, budget: 100, spent: 25 } });
    expect(album.tracks.map((t) => [t.number, t.state])).toEqual([
      [1, 'succeeded'],
      [2, 'skipped'],
    ]);
    const one = album.tracks[0]!;
    expect(one).toMatchObject({
      workflowId: 'album-rainy-days-01',
      runId: 'run-1',
      dir: '01-tone',
      provider: { songTaskId: 'song-task-1', clipId: 'clip-1', personaId: 'persona-9', tasks: { song: 'song-task-1', stems: 'stems-task-1', 'timestamped-lyrics': 'lrc-task-1' } },
      credits: { estimated: 26, spent: 25 },
      durationSeconds: 3.05,
    });
    expect(one.files.map((f) => [f.file, f.kind])).toEqual([
      ['01-tone/song.mp3', 'audio'],
      ['01-tone/cover.png', 'cover'],
      ['01-tone/stems/vocals.mp3', 'stem'],
      ['01-tone/lyrics.lrc', 'lrc'],
      ['01-tone/track.json', 'manifest'],
      ['01 - Tone.mp3', 'tagged-audio'],
    ]);
    for (const f of one.files) expect(f.sha256, f.file).toBe(await sha256(path.join(albumDir, f.file)));
    expect(one.files.find((f) => f.kind === 'tagged-audio')?.durationSeconds).toBeGreaterThan(2.9); // probed
    expect(one.files[0]!.source).toEqual({ provider: 'anyint', taskId: 'song-task-1', clipId: 'clip-1', url: 'http://media.example/song.mp3' });
    expect(album.tracks[1]).toMatchObject({ error: 'step song: task failed', attempts: 3, files: [] });
    expect(album.files).toEqual([{ file: 'playlist.m3u8', kind: 'playlist', sha256: await sha256(playlist), bytes: (await readFile(playlist)).length }]);
    expect(await partFiles(albumDir)).toEqual([]);
  });

  it('fails, naming the file, when a listed file is missing or changed since it was recorded', async () => {
    const album = { id: 'a', title: 'A', artist: 'B', provider: 'anyint' as const };
    await writeFile(path.join(trackDir, 'lyrics.lrc'), '[00:00.10]changed\n');
    const changed = await activities.writeAlbumManifest({ albumDir, album, tracks: [{ number: 1, title: 'Tone', state: 'succeeded', trackDir }] }).catch((e: unknown) => e);
    expect((changed as ApplicationFailure).nonRetryable).toBe(true);
    expect((changed as Error).message).toMatch(/track 1 "Tone": .*lyrics\.lrc changed since it was recorded/);

    const missing = await activities
      .writeAlbumManifest({ albumDir, album, tracks: [{ number: 1, title: 'Tone', state: 'succeeded', files: [{ path: path.join(albumDir, 'gone.mp3'), kind: 'tagged-audio' }] }] })
      .catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/gone\.mp3 is missing/);
  });
});

describe('album cover file', () => {
  it('copies a track image to cover.<ext>, lists it in album.json, rewrites it only when it changes, and removes a cover of another type', async () => {
    const albumDir = path.join(dir, 'covered-album');
    const first = await activities.writeAlbumCover({ albumDir, sourcePath: cover });
    expect(first).toMatchObject({ path: path.join(albumDir, 'cover.png'), sha256: await sha256(cover), rewritten: true });
    expect((await readFile(first.path)).equals(await readFile(cover))).toBe(true);

    const written = await stat(first.path);
    const again = await activities.writeAlbumCover({ albumDir, sourcePath: cover });
    expect(again).toMatchObject({ path: first.path, sha256: first.sha256, rewritten: false });
    // Left alone: the same inode, never replaced by an identical copy.
    expect((await stat(first.path)).ino).toBe(written.ino);

    const jpeg = path.join(dir, 'art.jpg');
    await runFfmpeg(['-f', 'lavfi', '-i', 'color=c=orange:s=64x64:d=1', '-frames:v', '1', jpeg]);
    const changed = await activities.writeAlbumCover({ albumDir, sourcePath: jpeg });
    expect(changed).toMatchObject({ path: path.join(albumDir, 'cover.jpg'), sha256: await sha256(jpeg), rewritten: true });
    // The PNG of the old cover is gone: one cover in the folder, the one album.json lists.
    expect((await readdir(albumDir)).sort()).toEqual(['cover.jpg']);

    const result = await activities.writeAlbumManifest({
      albumDir,
      album: { id: 'covered', title: 'Covered', artist: 'A', provider: 'anyint' },
      tracks: [],
      files: [{ path: changed.path, kind: 'cover', sha256: changed.sha256 }],
    });
    const album = JSON.parse(await readFile(result.path, 'utf8')) as AlbumJson;
    expect(album.files).toEqual([{ file: 'cover.jpg', kind: 'cover', sha256: changed.sha256, bytes: changed.bytes }]);
  });

  it('refuses a file that is not an image, without retrying', async () => {
    const error = await activities.writeAlbumCover({ albumDir: path.join(dir, 'bad-cover'), sourcePath: lrc }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect((error as Error).message).toMatch(/not a PNG, JPEG or WebP image/);
  });
});
