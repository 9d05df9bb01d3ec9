// A short, listenable tune synthesized as raw PCM. The notes come from a seeded generator so a
// clip id always sounds the same; ffmpeg only encodes, it never invents anything.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { seededRandom } from './deterministic';

export const SAMPLE_RATE = 44_100;
export const CHANNELS = 2;

interface Note {
  startSeconds: number;
  lengthSeconds: number;
  frequency: number;
  gain: number;
  /** -1 = left, 0 = centre, 1 = right. */
  pan: number;
  /** Relative weight of the second harmonic: the timbre of the voice. */
  brightness: number;
}

const MAJOR_PENTATONIC = [0, 2, 4, 7, 9];
const MINOR_PENTATONIC = [0, 3, 5, 7, 10];
/** Scale-degree roots of common four-bar progressions (I-vi-IV-V and friends). */
const PROGRESSIONS = [
  [0, 9, 5, 7],
  [0, 5, 7, 5],
  [0, 7, 9, 5],
  [9, 5, 0, 7],
];

function midiToFrequency(midi: number): number {
  return 440 * 2 ** ((midi - 69) / 12);
}

function composeNotes(seedLabel: string, seconds: number): Note[] {
  const random = seededRandom(seedLabel, 'melody');
  const bpm = 84 + random.int(49);
  const beat = 60 / bpm;
  const rootMidi = 55 + random.int(10);
  const scale = random.next() < 0.6 ? MAJOR_PENTATONIC : MINOR_PENTATONIC;
  const progression = random.pick(PROGRESSIONS);
  const notes: Note[] = [];

  // Bass: one long note per bar following the progression, so the tune has a harmonic floor.
  const bar = beat * 4;
  for (let barIndex = 0; barIndex * bar < seconds; barIndex++) {
    const degree = progression[barIndex % progression.length] ?? 0;
    notes.push({
      startSeconds: barIndex * bar,
      lengthSeconds: bar,
      frequency: midiToFrequency(rootMidi - 12 + degree),
      gain: 0.22,
      pan: 0,
      brightness: 0.15,
    });
  }

  // Melody: a random walk over the scale, which sounds more like a tune than independent picks.
  const lengths = [0.5, 1, 1, 1, 2];
  let step = random.int(scale.length);
  let octave = 0;
  for (let time = 0; time < seconds; ) {
    const lengthBeats = random.pick(lengths);
    const isRest = random.next() < 0.12;
    if (!isRest) {
      const interval = scale[step] ?? 0;
      notes.push({
        startSeconds: time,
        lengthSeconds: lengthBeats * beat,
        frequency: midiToFrequency(rootMidi + 12 * (1 + octave) + interval),
        gain: 0.18,
        pan: random.next() * 0.6 - 0.3,
        brightness: 0.35,
      });
    }
    step += random.int(5) - 2;
    if (step >= scale.length) {
      step -= scale.length;
      octave = Math.min(octave + 1, 1);
    } else if (step < 0) {
      step += scale.length;
      octave = Math.max(octave - 1, -1);
    }
    time += lengthBeats * beat;
  }
  return notes;
}

/** Frames synthesized between yields to the event loop (a quarter second of audio). */
const CHUNK_FRAMES = SAMPLE_RATE / 4;

/**
 * Interleaved signed 16-bit little-endian stereo PCM, exactly `seconds` long.
 * Synthesized in chunks that yield between them: this runs inside the simulator's HTTP server,
 * and a blocked event loop would delay queries past the stage times they are meant to observe.
 */
export async function renderMelodyPcm(seedLabel: string, seconds: number): Promise<Buffer> {
  const frameCount = Math.round(seconds * SAMPLE_RATE);
  const notes = composeNotes(seedLabel, seconds).map((note) => ({
    ...note,
    firstFrame: Math.round(note.startSeconds * SAMPLE_RATE),
    frameLength: Math.round(note.lengthSeconds * SAMPLE_RATE),
  }));
  const attack = Math.round(0.01 * SAMPLE_RATE);
  const fade = Math.round(0.05 * SAMPLE_RATE);
  const pcm = Buffer.alloc(frameCount * CHANNELS * 2);
  const left = new Float64Array(CHUNK_FRAMES);
  const right = new Float64Array(CHUNK_FRAMES);

  for (let chunkStart = 0; chunkStart < frameCount; chunkStart += CHUNK_FRAMES) {
    const chunkEnd = Math.min(chunkStart + CHUNK_FRAMES, frameCount);
    left.fill(0);
    right.fill(0);
    for (const note of notes) {
      const noteEnd = Math.min(note.firstFrame + note.frameLength, frameCount);
      const from = Math.max(note.firstFrame, chunkStart);
      const to = Math.min(noteEnd, chunkEnd);
      if (from >= to) continue;
      const leftGain = note.gain * Math.min(1, 1 - note.pan);
      const rightGain = note.gain * Math.min(1, 1 + note.pan);
      const omega = (2 * Math.PI * note.frequency) / SAMPLE_RATE;
      for (let frame = from; frame < to; frame++) {
        const t = frame - note.firstFrame;
        // Fast attack then exponential decay: a plucked sound without clicks at the note edges.
        const envelope =
          Math.min(1, t / attack) * Math.exp((-3 * t) / note.frameLength) * Math.min(1, (noteEnd - frame) / attack);
        const sample = envelope * (Math.sin(omega * t) + note.brightness * Math.sin(2 * omega * t));
        const index = frame - chunkStart;
        left[index] = (left[index] ?? 0) + sample * leftGain;
        right[index] = (right[index] ?? 0) + sample * rightGain;
      }
    }
    for (let frame = chunkStart; frame < chunkEnd; frame++) {
      const edge = Math.min(1, frame / fade, (frameCount - 1 - frame) / fade);
      const index = frame - chunkStart;
      pcm.writeInt16LE(toInt16((left[index] ?? 0) * edge), frame * 4);
      pcm.writeInt16LE(toInt16((right[index] ?? 0) * edge), frame * 4 + 2);
    }
    await yieldToEventLoop();
  }
  return pcm;
}

function toInt16(sample: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(sample * 32767)));
}
