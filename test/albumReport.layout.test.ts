// The album report (report.html): written by its activity from a real album folder (track folders
// with track.json, lyrics and audio; tagged copies; album.json written by the assembly activity),
// then opened in headless Chromium. The page must be self-contained, show the cover and one
// waveform per track with audio, every image loaded, the figures, the provider ids and the lyrics
// escaped. A report with one image removed, or one broken, must fail the same check.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlbumAssemblyActivities } from '../album/assembly/albumAssembly';
import { createAlbumReportActivities } from '../album/report/albumReport';
import { escapeHtml } from '../album/report/reportHtml';
import { LocalArtifactStore } from '../artifacts/store/localStore';
import type { TrackManifest } from '../contracts/trackManifest';
import { runFfmpeg } from '../runtime/ffmpeg';
import { checkReportLayout, launchChromium } from './helpers/reportLayout';

const LYRICS = 'Verse one <script>alert("sung")</script>\nand a chorus with "quotes" & ampersands';

let dir: string;
let albumDir: string;
let browser: Browser;
let reportHtml: string;
const store = new LocalArtifactStore();

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

/** A track folder as the song pipeline leaves it: lyrics, the song, track.json with the provider ids. */
async function trackFolder(number: number, seconds: number, frequency: number): Promise<string> {
  const trackDir = path.join(albumDir, String(number).padStart(2, '0'));
  await mkdir(trackDir, { recursive: true });
  const song = path.join(trackDir, 'song.mp3');
  // A tone that swells and fades, so the waveform has a shape.
  await runFfmpeg(['-y', '-f', 'lavfi', '-i', `aevalsrc='0.5*sin(2*PI*${frequency}*t)*sin(PI*t/${seconds})':s=44100:d=${seconds}`, '-ac', '2', '-codec:a', 'libmp3lame', '-b:a', '96k', song]);
  const lyrics = path.join(trackDir, 'lyrics.txt');
  await writeFile(lyrics, `${LYRICS}\n(track ${number})\n`);
  const file = async (name: string, kind: 'audio' | 'lyrics') => ({ file: name, kind, sha256: await sha256(path.join(trackDir, name)), bytes: (await stat(path.join(trackDir, name))).size });
  const manifest: TrackManifest = {
    version: 1,
    title: `Track ${number}`,
    provider: 'anyint',
    workflowId: `album-report-t${number}`,
    runId: `run-${number}`,
    request: { prompt: 'p', instrumental: false },
    clip: { taskId: `song-task-${number}`, clipId: `clip-${number}-<b>bold</b>` },
    steps: {
      lyrics: { state: 'succeeded', taskId: `lyrics-task-${number}`, files: ['lyrics.txt'] },
      song: { state: 'succeeded', taskId: `song-task-${number}`, files: ['song.mp3'] },
    },
    files: [await file('lyrics.txt', 'lyrics'), await file('song.mp3', 'audio')],
  };
  await writeFile(path.join(trackDir, 'track.json'), JSON.stringify(manifest, null, 2));
  return trackDir;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'album-report-'));
  albumDir = path.join(dir, 'album');
  await mkdir(albumDir, { recursive: true });
  const assembly = createAlbumAssemblyActivities(store);
  const coverSource = path.join(dir, 'art.png');
  await runFfmpeg(['-y', '-f', 'lavfi', '-i', 'testsrc2=s=512x512', '-frames:v', '1', coverSource]);
  const cover = await assembly.writeAlbumCover({ albumDir, sourcePath: coverSource });

  const tracks = [];
  for (const [number, seconds, frequency] of [[1, 8, 330], [2, 5, 440]] as const) {
    const trackDir = await trackFolder(number, seconds, frequency);
    const tagged = await assembly.tagTrack({ mp3Path: path.join(trackDir, 'song.mp3'), outPath: path.join(albumDir, `0${number} - Track ${number}.mp3`), title: `Track ${number} <i>& co</i>`, artist: 'Tester', album: 'Report', trackNumber: number, trackCount: 3 });
    tracks.push({
      number,
      title: `Track ${number} <i>& co</i>`,
      state: 'succeeded' as const,
      trackDir,
      files: [{ path: tagged.path, kind: 'tagged-audio' as const, sha256: tagged.sha256 }],
      credits: { spent: 12 * number },
      analysis: number === 1 ? { bpm: 100, key: 'A minor' } : { bpm: 140, key: 'F# major' },
    });
  }
  // A failed track: in the report, without audio and so without a waveform.
  tracks.push({ number: 3, title: 'Track 3', state: 'failed' as const, error: 'GENERATE_AUDIO_FAILED <provider said so>' });
  await assembly.writeAlbumManifest({
    albumDir,
    album: { id: 'report', title: 'Report <Album>', artist: 'Tester & Friends', year: 2026, genre: 'pop', provider: 'anyint', runId: 'album-run' },
    tracks,
    files: [{ path: cover.path, kind: 'cover', sha256: cover.sha256 }],
  });
  const written = await createAlbumReportActivities(store).writeAlbumReport({ albumDir });
  expect(written.path).toBe(path.join(albumDir, 'report.html'));
  reportHtml = await readFile(written.path, 'utf8');
  expect(written.sha256).toBe(await sha256(written.path));
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('album report', () => {
  it('is one self-contained page: images as data URIs, no script, nothing fetched', () => {
    expect(reportHtml).not.toMatch(/<script/i);
    expect(reportHtml).not.toMatch(/\s(?:src|href)="(?!data:image\/)/);
    expect(reportHtml).toContain(`default-src 'none'; img-src data:`);
    expect([...reportHtml.matchAll(/<img class="waveform"/g)]).toHaveLength(2);
    expect(reportHtml).toMatch(/<img class="cover"[^>]*src="data:image\/png;base64,/);
  });

  it('shows per track the duration, loudness, true peak, tempo, key, credits, provider ids and escaped lyrics', () => {
    const track1 = reportHtml.slice(reportHtml.indexOf('id="track-1"'), reportHtml.indexOf('id="track-2"'));
    expect(track1).toContain('0:08');
    expect(track1).toMatch(/-\d+\.\d LUFS/);
    expect(track1).toMatch(/-?\d+\.\d dBTP/);
    expect(track1).toContain('100 BPM');
    expect(track1).toContain('A minor');
    expect(track1).toContain('<dd>12</dd>');
    expect(track1).toContain('song-task-1');
    expect(track1).toContain(escapeHtml('clip-1-<b>bold</b>'));
    expect(track1).toContain('lyrics-task-1');
    expect(track1).toContain(escapeHtml(LYRICS));
    expect(track1).toContain(escapeHtml('Track 1 <i>& co</i>'));
    expect(reportHtml).not.toContain('<b>bold</b>');
    expect(reportHtml).not.toContain('<i>& co</i>');
    expect(reportHtml).toContain('F# major');
    expect(reportHtml).toContain(escapeHtml('GENERATE_AUDIO_FAILED <provider said so>'));
    expect(reportHtml).toContain(escapeHtml('Report <Album>'));
  });

  it('loads in headless Chromium with the cover and every waveform shown', async () => {
    const shot = path.join(dir, 'report.png');
    const layout = await checkReportLayout(browser, path.join(albumDir, 'report.html'), { waveforms: 2 }, shot);
    expect(layout.problems).toEqual([]);
    expect(layout.images).toBe(3);
    expect((await stat(shot)).size).toBeGreaterThan(10_000);
    if (process.env.REPORT_SCREENSHOT_COPY) await writeFile(process.env.REPORT_SCREENSHOT_COPY, await readFile(shot));
  });

  it('fails the check when a waveform is removed, an image is broken or the cover is gone', async () => {
    const variants = {
      'no-waveform': reportHtml.replace(/<img class="waveform" data-track="2"[^>]*>/, ''),
      'broken-image': reportHtml.replace(/(<img class="waveform" data-track="1"[^>]*src="data:image\/png;base64,)[^"]*/, '$1AAAAnotapng'),
      'no-cover': reportHtml.replace(/<img class="cover"[^>]*>/, ''),
    };
    const expected = {
      'no-waveform': 'expected 2 waveform images, found 1',
      'broken-image': 'image "waveform of track 1" did not load',
      'no-cover': 'expected the cover, found 0 cover images',
    };
    for (const [name, html] of Object.entries(variants)) {
      expect(html, name).not.toBe(reportHtml);
      const file = path.join(dir, `${name}.html`);
      await writeFile(file, html);
      const layout = await checkReportLayout(browser, file, { waveforms: 2 }, path.join(dir, `${name}.png`));
      expect(layout.problems, name).toContain(expected[name as keyof typeof expected]);
    }
  });
});
