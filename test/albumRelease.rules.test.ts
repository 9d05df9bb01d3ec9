// The release rules on given figures: the limits a distributor applies, each problem with its figure.
import { describe, expect, it } from 'vitest';
import { audioProblems, coverProblems, duplicateProblems, identifierProblems, releaseProblems, type TrackFacts } from '../album/release/checks';
import type { AudioMeasurement } from '../album/release/measure';

const fine: AudioMeasurement = { durationSeconds: 180, sampleRate: 44100, channels: 2, codec: 'mp3', integratedLufs: -14.2, truePeakDb: -1.3, trailingSilenceSeconds: 0.4, clippedSamples: 0, samplePeakDb: -1.6 };
const track = (number: number, title: string, audio: Partial<AudioMeasurement> = {}, extra: Partial<TrackFacts> = {}): TrackFacts => ({ number, title, audio: { ...fine, ...audio }, ...extra });

describe('release rules', () => {
  it('passes a track within every limit', () => {
    expect(audioProblems(track(1, 'Fine'))).toEqual([]);
  });

  it("flags a simulator-length clip as too short, and loudness far from -14 LUFS only as a warning", () => {
    const problems = audioProblems(track(2, 'Clip', { durationSeconds: 12.5, integratedLufs: -19.4 }));
    expect(problems.map((p) => [p.severity, p.check, p.figure, p.message])).toEqual([
      ['error', 'too-short', 12.5, '12.5 s long; tracks under 30 s are filtered as spam'],
      ['warning', 'loudness', -19.4, "integrated loudness -19.4 LUFS, 5.4 LU below the stores' -14 LUFS (set loudness.targetLufs to master it)"],
    ]);
  });

  it('flags silent audio and a track with no audio, naming why', () => {
    expect(audioProblems(track(3, 'Hush', { integratedLufs: undefined, truePeakDb: undefined })).map((p) => p.check)).toEqual(['silent']);
    expect(audioProblems({ number: 4, title: 'Gone', missingReason: 'the track skipped: step song: task failed' })[0]!.message).toBe('no audio (the track skipped: step song: task failed)');
  });

  it('warns about art between 1000 and 3000 px, and refuses art that is not square, not JPEG/PNG or not RGB', () => {
    const cover = (width: number, height: number, codec = 'png', pixelFormat = 'rgb24') => coverProblems({ file: 'c', source: 'release', image: { width, height, codec, pixelFormat } });
    expect(cover(3000, 3000)).toEqual([]);
    expect(cover(1400, 1400).map((p) => [p.severity, p.figure, p.limit])).toEqual([['warning', 1400, 3000]]);
    expect(cover(3000, 2000).map((p) => p.message)).toContain('cover c is 3000×2000 px; cover art must be square');
    expect(cover(3000, 3000, 'webp').map((p) => p.message)).toEqual(['cover c is webp; distributors take JPEG or PNG']);
    expect(cover(3000, 3000, 'mjpeg', 'gray').map((p) => p.message)).toEqual(['cover c is gray (not RGB); distributors take RGB colour']);
    expect(coverProblems(undefined)[0]!.check).toBe('cover-missing');
  });

  it('flags a repeated title whatever its case, naming the first track', () => {
    expect(duplicateProblems([track(1, 'Rain'), track(2, ' rain ')]).map((p) => [p.track?.number, p.message])).toEqual([[2, 'same title as track 1']]);
  });

  it('without a release section, warns that the codes were not checked instead of refusing', () => {
    const problems = releaseProblems({ cover: { file: 'c', source: 'release', image: { width: 3000, height: 3000, codec: 'png', pixelFormat: 'rgb24' } }, tracks: [track(1, 'Fine', { codec: 'flac', bitDepth: 16 })] });
    expect(problems.map((p) => [p.severity, p.check])).toEqual([['warning', 'no-release-section']]);
  });

  it('refuses one ISRC on two recordings, however it is written, and a release without a UPC', () => {
    const problems = identifierProblems({ aiDisclosure: { vocals: true, instrumentation: true, composition: true, lyrics: true, postProduction: false } }, [track(1, 'A', {}, { isrc: 'US-RC1-76-07839' }), track(2, 'B', {}, { isrc: 'usrc17607839' })]);
    expect(problems.map((p) => [p.check, p.track?.number, p.message])).toEqual([
      ['upc-missing', undefined, 'no UPC (release.upc): every release needs one (your distributor assigns it)'],
      ['isrc-duplicate', 2, "ISRC usrc17607839 is also track 1's: each recording has its own"],
    ]);
  });
});
