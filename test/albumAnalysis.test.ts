// Tempo and key per track (album/analysis/): measured with librosa from audio whose figures are known
// by construction (ffmpeg-rendered clicks over a chord progression), two different tempi and keys so
// that no constant answer passes; then carried into the tagged MP3 (TBPM, TKEY), album.json and the
// release check's figures. Silent audio is refused without a retry.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeAudioFile, id3Key } from '../album/analysis/audioAnalysis';
import { createAnalysisActivities, AUDIO_ANALYSIS_FAILURE } from '../album/analysis/analysisActivities';
import { createAlbumAssemblyActivities } from '../album/assembly/albumAssembly';
import { checkRelease } from '../album/release/releaseCheck';
import { formatReleaseReport } from '../album/release/reportText';
import { readTags } from '../artifacts/id3Tags';
import { LocalArtifactStore } from '../artifacts/store/localStore';
import type { TrackAnalysis } from '../contracts/albumFiles';
import { runFfmpeg } from '../runtime/ffmpeg';
import { A_MINOR_PROGRESSION, F_SHARP_MAJOR_PROGRESSION, renderChordClickTrack } from './helpers/chordClickTrack';

/** Whole BPM: the analysis rounds, and an MP3's encoder delay shifts every beat alike. */
const BPM_TOLERANCE = 1.5;

let dir: string;
const measured = new Map<string, TrackAnalysis & { keyConfidence?: number }>();
const store = new LocalArtifactStore();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'album-analysis-'));
  await renderChordClickTrack({ bpm: 100, chords: A_MINOR_PROGRESSION, seconds: 24, out: path.join(dir, 'a-minor-100.mp3') });
  await renderChordClickTrack({ bpm: 140, chords: F_SHARP_MAJOR_PROGRESSION, seconds: 20, out: path.join(dir, 'f-sharp-major-140.wav') });
  // One after the other: librosa is heavy, and the machine has two cores.
  for (const name of ['a-minor-100.mp3', 'f-sharp-major-140.wav']) measured.set(name, await analyzeAudioFile(path.join(dir, name)));
}, 600_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('tempo and key analysis', () => {
  it('hears 100 BPM and A minor in an A-minor progression with a click on every beat (MP3)', () => {
    const a = measured.get('a-minor-100.mp3')!;
    expect(Math.abs(a.bpm - 100)).toBeLessThanOrEqual(BPM_TOLERANCE);
    expect(a.key).toBe('A minor');
  });

  it('hears 140 BPM and F# major in an F#-major progression (WAV)', () => {
    const a = measured.get('f-sharp-major-140.wav')!;
    expect(Math.abs(a.bpm - 140)).toBeLessThanOrEqual(BPM_TOLERANCE);
    expect(a.key).toBe('F# major');
  });

  it('names keys in ID3 TKEY form', () => {
    expect(id3Key('A minor')).toBe('Am');
    expect(id3Key('F# major')).toBe('F#');
    expect(() => id3Key('H dorian')).toThrow(/not a key/);
  });

  it('refuses silent audio and a missing file as failures that are not retried, naming the file', async () => {
    const silent = path.join(dir, 'silent.mp3');
    await runFfmpeg(['-y', '-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=stereo', '-t', '5', '-codec:a', 'libmp3lame', silent]);
    const { analyzeTrack } = createAnalysisActivities(store);
    for (const [file, why] of [[silent, /silent audio/], [path.join(dir, 'absent.mp3'), /absent\.mp3 does not exist/]] as const) {
      const failure = await analyzeTrack({ audioPath: file }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect((failure as ApplicationFailure).nonRetryable).toBe(true);
      expect((failure as ApplicationFailure).type).toBe(AUDIO_ANALYSIS_FAILURE);
      expect((failure as ApplicationFailure).message).toMatch(why);
    }
  });

  it('writes the figures into the tagged MP3 (TBPM, TKEY) and album.json, and the release check shows them', async () => {
    const analysis = { bpm: measured.get('a-minor-100.mp3')!.bpm, key: measured.get('a-minor-100.mp3')!.key };
    const albumDir = path.join(dir, 'album');
    const assembly = createAlbumAssemblyActivities(store);
    const tagged = await assembly.tagTrack({
      mp3Path: path.join(dir, 'a-minor-100.mp3'),
      outPath: path.join(albumDir, '01 - Minor.mp3'),
      title: 'Minor',
      artist: 'Tester',
      album: 'Keys',
      trackNumber: 1,
      trackCount: 1,
      analysis,
    });
    expect(tagged.frames).toEqual(expect.arrayContaining(['TBPM', 'TKEY']));
    const tags = readTags(tagged.path);
    expect(tags.bpm).toBe(String(analysis.bpm));
    expect(tags.initialKey).toBe('Am');

    await assembly.writeAlbumManifest({
      albumDir,
      album: { id: 'keys', title: 'Keys', artist: 'Tester', provider: 'anyint' },
      tracks: [{ number: 1, title: 'Minor', state: 'succeeded', files: [{ path: tagged.path, kind: 'tagged-audio', sha256: tagged.sha256 }], analysis }],
    });
    const report = await checkRelease({ albumDir });
    expect(report.tracks[0]!.analysis).toEqual(analysis);
    expect(formatReleaseReport(report)).toContain(`${analysis.bpm} BPM, A minor`);
  });
});
