// Test audio whose tempo and key are known by construction, rendered by ffmpeg's aevalsrc: a click
// on every beat (a decaying 1 kHz burst) over one chord per bar (sines with a second harmonic),
// cycling through the given chords. Nothing about the figures is stored: the analysis must hear them.
import { runFfmpeg } from '../../runtime/ffmpeg';

export interface ChordClickTrack {
  bpm: number;
  /** MIDI note numbers of each bar's chord, e.g. A minor = [57, 60, 64]. */
  chords: number[][];
  seconds: number;
  /** Output file; its extension picks the format (.mp3, .wav). */
  out: string;
}

/** i–iv–V–i in A minor (Am, Dm, E, Am): the V's G♯ is what says minor rather than C major. */
export const A_MINOR_PROGRESSION = [[57, 60, 64], [62, 65, 69], [52, 56, 59], [57, 60, 64]];
/** I–IV–V–I in F♯ major (F♯, B, C♯, F♯). */
export const F_SHARP_MAJOR_PROGRESSION = [[54, 58, 61], [59, 63, 66], [61, 65, 68], [54, 58, 61]];

const frequency = (midi: number) => 440 * 2 ** ((midi - 69) / 12);

function chordExpression(notes: number[]): string {
  return notes.map((m) => `sin(2*PI*${frequency(m).toFixed(3)}*t)+0.3*sin(4*PI*${frequency(m).toFixed(3)}*t)`).join('+');
}

export async function renderChordClickTrack(track: ChordClickTrack): Promise<void> {
  const beat = 60 / track.bpm;
  const bar = 4 * beat;
  let chords = '0';
  for (let i = track.chords.length - 1; i >= 0; i--) {
    chords = `if(eq(mod(floor(t/${bar.toFixed(6)}),${track.chords.length}),${i}),${chordExpression(track.chords[i]!)},${chords})`;
  }
  const click = `0.5*sin(2*PI*1000*t)*exp(-40*mod(t,${beat.toFixed(6)}))`;
  const codec = track.out.endsWith('.mp3') ? ['-codec:a', 'libmp3lame', '-b:a', '128k'] : [];
  await runFfmpeg(['-y', '-f', 'lavfi', '-i', `aevalsrc='0.08*(${chords})+${click}':s=44100:d=${track.seconds}`, '-ac', '2', ...codec, track.out]);
}
