"""Tempo (BPM) and musical key of one decoded track, printed as one JSON line.

Input (or `--warm-up`, see warm_up): a file of mono 32-bit float little-endian samples (decoded by ffmpeg in audioAnalysis.ts, so
that this script needs no audio decoder of its own) and its sample rate. Output:
{"bpm": ..., "key": "A minor", "keyConfidence": ..., "beats": ...}.

Tempo: librosa's onset-strength tempogram gives the tempo; beats tracked at that tempo then refine
it to a fraction of a BPM (the tempogram's lag bins are a few BPM apart at 120 BPM), as the slope of
the beat times over the beat count.
Key: the harmonic part's constant-Q chroma, averaged over the track, correlated with the
Krumhansl-Kessler major and minor key profiles in all twelve transpositions; the best match wins.
"""
import json
import sys

import numpy as np
import librosa

PITCH_CLASSES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
# Krumhansl & Kessler (1982): how well each pitch class fits a key, tonic first.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
HOP = 512
MIN_BEATS = 4
MIN_BEATS_FOR_REFINING = 8


def tempo_of(samples, rate):
    onsets = librosa.onset.onset_strength(y=samples, sr=rate, hop_length=HOP)
    estimate = float(librosa.feature.tempo(onset_envelope=onsets, sr=rate, hop_length=HOP)[0])
    _, beats = librosa.beat.beat_track(onset_envelope=onsets, sr=rate, hop_length=HOP, bpm=estimate, units="time")
    if estimate <= 0 or len(beats) < MIN_BEATS:
        sys.exit("no steady beat to measure a tempo from")
    if len(beats) < MIN_BEATS_FOR_REFINING:
        return estimate, len(beats)
    slope = np.polyfit(np.arange(len(beats)), beats, 1)[0]
    refined = 60.0 / slope
    # The tracker follows the estimate; a refined figure far from it means the beats wandered.
    return (refined if abs(refined - estimate) / estimate < 0.08 else estimate), len(beats)


def key_of(samples, rate):
    harmonic = librosa.effects.harmonic(samples)
    chroma = librosa.feature.chroma_cqt(y=harmonic, sr=rate, hop_length=HOP)
    profile = chroma.mean(axis=1)
    best = (-2.0, "")
    for tonic in range(12):
        for mode, reference in (("major", MAJOR_PROFILE), ("minor", MINOR_PROFILE)):
            r = float(np.corrcoef(profile, np.roll(reference, tonic))[0, 1])
            if r > best[0]:
                best = (r, f"{PITCH_CLASSES[tonic]} {mode}")
    return best[1], best[0]


def warm_up():
    """Runs both analyses once on a synthesized click over an A minor chord, so that numba compiles
    (and caches beside librosa) at install time rather than in a worker's first album."""
    rate = 22050
    t = np.arange(rate * 12) / rate
    chord = sum(np.sin(2 * np.pi * 440 * 2 ** ((m - 69) / 12) * t) for m in (57, 60, 64))
    click = np.sin(2 * np.pi * 1000 * t) * np.exp(-40 * np.mod(t, 0.5))
    samples = (0.08 * chord + 0.5 * click).astype(np.float32)
    bpm, _ = tempo_of(samples, rate)
    key, _ = key_of(samples, rate)
    print(json.dumps({"bpm": round(bpm, 2), "key": key}))


def main():
    if sys.argv[1:] == ["--warm-up"]:
        return warm_up()
    if len(sys.argv) != 3:
        sys.exit("usage: analyze_audio.py <mono f32le samples> <sample rate>")
    rate = int(sys.argv[2])
    samples = np.fromfile(sys.argv[1], dtype="<f4")
    if samples.size < rate * 2:
        sys.exit(f"too short to analyse: {samples.size / rate:.2f} s of audio (at least 2 s)")
    if float(np.max(np.abs(samples))) < 1e-4:
        sys.exit("silent audio has neither tempo nor key")
    bpm, beats = tempo_of(samples, rate)
    key, confidence = key_of(samples, rate)
    print(json.dumps({"bpm": round(bpm, 2), "key": key, "keyConfidence": round(confidence, 3), "beats": beats}))


if __name__ == "__main__":
    main()
