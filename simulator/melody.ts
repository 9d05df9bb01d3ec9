// A short, listenable tune synthesized as raw PCM. The notes come from a seeded generator so a
// clip id always sounds the same; ffmpeg only encodes, it never invents anything.
//
// The tune is written as separate parts (lead, keys, bass, drums) and the song is their plain sum.
// Rendering any subset of parts therefore gives a stem, and stems add back up to the song sample
// for sample: the simulator can serve stem separation that a client can actually verify.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { seededRandom } from './deterministic';

export const SAMPLE_RATE = 44_100;
export const CHANNELS = 2;

/** The lead line is the "voice" of a song with vocals, the lead instrument of an instrumental. */
export const PART_NAMES = ['lead', 'keys', 'bass', 'drums'] as const;
export type PartName = (typeof PART_NAMES)[number];

/** tone: a plucked sine with a second harmonic; kick and snare: synthesized drum hits. */
type Voice = 'tone' | 'kick' | 'snare' | 'hat';

interface Note {
  part: PartName;
  voice: Voice;
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
/** Degrees whose chord is minor in a major key (ii, iii, vi). */
const MINOR_DEGREES = new Set([2, 4, 9]);

function midiToFrequency(midi: number): number {
  return 440 * 2 ** ((midi - 69) / 12);
}

// Gains are chosen so that even when every part peaks at once the sum stays below full scale:
// the song must never clip, or its stems would no longer add up to it.
function composeNotes(seedLabel: string, seconds: number): Note[] {
  const random = seededRandom(seedLabel, 'melody');
  const bpm = 84 + random.int(49);
  const beat = 60 / bpm;
  const rootMidi = 55 + random.int(10);
  const scale = random.next() < 0.6 ? MAJOR_PENTATONIC : MINOR_PENTATONIC;
  const progression = random.pick(PROGRESSIONS);
  const notes: Note[] = [];

  // Bass and keys: one long note (and chord) per bar following the progression, so the tune has
  // a harmonic floor.
  const bar = beat * 4;
  for (let barIndex = 0; barIndex * bar < seconds; barIndex++) {
    const degree = progression[barIndex % progression.length] ?? 0;
    const bass = { startSeconds: barIndex * bar, lengthSeconds: bar, pan: 0 };
    notes.push({ ...bass, part: 'bass', voice: 'tone', frequency: midiToFrequency(rootMidi - 12 + degree), gain: 0.17, brightness: 0.15 });
    const third = MINOR_DEGREES.has(degree) ? 3 : 4;
    for (const [index, interval] of [0, third, 7].entries()) {
      notes.push({
        ...bass,
        part: 'keys',
        voice: 'tone',
        frequency: midiToFrequency(rootMidi + degree + interval),
        gain: 0.05,
        pan: (index - 1) * 0.4,
        brightness: 0.1,
      });
    }
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
        part: 'lead',
        voice: 'tone',
        startSeconds: time,
        lengthSeconds: lengthBeats * beat,
        frequency: midiToFrequency(rootMidi + 12 * (1 + octave) + interval),
        gain: 0.15,
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

  // Drums: kick on 1 and 3 (sometimes an extra one on the "and" of 3), snare on 2 and 4, soft
  // hats on every eighth.
  const extraKick = random.next() < 0.5;
  for (let beatIndex = 0; beatIndex * beat < seconds; beatIndex++) {
    const start = beatIndex * beat;
    const inBar = beatIndex % 4;
    const hit = { part: 'drums' as const, pan: 0, brightness: 0 };
    if (inBar === 0 || inBar === 2) notes.push({ ...hit, voice: 'kick', startSeconds: start, lengthSeconds: Math.min(0.3, beat), frequency: 55, gain: 0.2 });
    if (inBar === 1 || inBar === 3) notes.push({ ...hit, voice: 'snare', startSeconds: start, lengthSeconds: Math.min(0.2, beat), frequency: 190, gain: 0.1 });
    if (extraKick && inBar === 2) {
      notes.push({ ...hit, voice: 'kick', startSeconds: start + beat / 2, lengthSeconds: Math.min(0.3, beat / 2), frequency: 55, gain: 0.14 });
    }
    for (const half of [0, 0.5]) {
      notes.push({ ...hit, voice: 'hat', startSeconds: start + half * beat, lengthSeconds: 0.05, frequency: 0, gain: 0.03, pan: 0.3 });
    }
  }
  return notes;
}

/** Frames synthesized between yields to the event loop (a quarter second of audio). */
const CHUNK_FRAMES = SAMPLE_RATE / 4;

/** A uniform value in [-1, 1) from a note's seed and a position: noise that needs no state. */
function noiseAt(seed: number, position: number): number {
  let h = Math.imul(seed ^ position, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  return ((h >>> 0) / 4294967296) * 2 - 1;
}

/**
 * Noise held for `hold` frames and interpolated between: a band-limited noise, because an MP3
 * encoder drops the top of the spectrum and full-band noise would not survive it to add up.
 */
function smoothNoise(seed: number, t: number, hold: number): number {
  const index = Math.floor(t / hold);
  const fraction = (t - index * hold) / hold;
  return noiseAt(seed, index) * (1 - fraction) + noiseAt(seed, index + 1) * fraction;
}

/** The note's raw waveform `t` frames after its start, before the envelope. */
function voiceSample(note: Note & { seed: number }, omega: number, t: number): number {
  switch (note.voice) {
    case 'tone':
      return Math.sin(omega * t) + note.brightness * Math.sin(2 * omega * t);
    case 'kick': {
      // A sine whose pitch falls from about three times its base: the thump of a kick drum.
      const seconds = t / SAMPLE_RATE;
      const phase = 2 * Math.PI * note.frequency * (seconds + (2 / 30) * (1 - Math.exp(-30 * seconds)));
      return Math.sin(phase);
    }
    case 'snare':
      return 0.5 * Math.sin(omega * t) + 0.8 * smoothNoise(note.seed, t, 3);
    case 'hat':
      return smoothNoise(note.seed, t, 2);
  }
}

/** How fast a voice dies away over its length (exponent of its decay). */
const DECAY: Record<Voice, number> = { tone: 3, kick: 6, snare: 8, hat: 10 };

/**
 * Interleaved signed 16-bit little-endian stereo PCM, exactly `seconds` long, of the given parts
 * mixed (all of them: the whole song).
 * Synthesized in chunks that yield between them: this runs inside the simulator's HTTP server,
 * and a blocked event loop would delay queries past the stage times they are meant to observe.
 */
export async function renderMelodyPcm(seedLabel: string, seconds: number, parts: readonly PartName[] = PART_NAMES): Promise<Buffer> {
  const frameCount = Math.round(seconds * SAMPLE_RATE);
  const wanted = new Set(parts);
  const notes = composeNotes(seedLabel, seconds)
    .map((note, index) => ({
      ...note,
      seed: index + 1,
      firstFrame: Math.round(note.startSeconds * SAMPLE_RATE),
      frameLength: Math.max(1, Math.round(note.lengthSeconds * SAMPLE_RATE)),
    }))
    .filter((note) => wanted.has(note.part));
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
      const decay = DECAY[note.voice];
      const noteAttack = note.voice === 'tone' ? attack : Math.round(attack / 5);
      for (let frame = from; frame < to; frame++) {
        const t = frame - note.firstFrame;
        // Fast attack then exponential decay: a plucked sound without clicks at the note edges.
        const envelope =
          Math.min(1, t / noteAttack) * Math.exp((-decay * t) / note.frameLength) * Math.min(1, (noteEnd - frame) / attack);
        const sample = envelope * voiceSample(note, omega, t);
        const index = frame - chunkStart;
        left[index] = (left[index] ?? 0) + sample * leftGain;
        right[index] = (right[index] ?? 0) + sample * rightGain;
      }
    }
    for (let frame = chunkStart; frame < chunkEnd; frame++) {
      // The fade is a fixed gain per frame, so it commutes with mixing: faded parts still sum to
      // the faded song.
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

/**
 * The start of every bar of the tune `seedLabel` seeds, up to `seconds`: its downbeats. The tempo
 * is the first number the tune's generator draws, so this agrees with what renderMelodyPcm plays.
 */
export function downbeatSeconds(seedLabel: string, seconds: number): number[] {
  const bpm = 84 + seededRandom(seedLabel, 'melody').int(49);
  const bar = (60 / bpm) * 4;
  const beats: number[] = [];
  for (let index = 0; index * bar < seconds; index++) beats.push(Math.round(index * bar * 1000) / 1000);
  return beats;
}
