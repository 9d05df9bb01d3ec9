// Which parts of a clip's tune (see melody.ts) each separated track holds. Every split covers every
// part exactly once, so the tracks of any split add back up to the song.

import { PART_NAMES, type PartName } from './melody';

/** 'vocals': voice and accompaniment; 'multitrack': one track per instrument group. */
export type Separation = 'vocals' | 'multitrack';

export type StemName = 'vocals' | 'instrumental' | 'drums' | 'bass' | 'keyboard' | 'synth';

export interface StemSplit {
  name: StemName;
  parts: readonly PartName[];
}

export function stemSplit(separation: Separation, instrumental: boolean): StemSplit[] {
  if (separation === 'vocals') {
    // An instrumental has no voice: its vocal track is silence and the accompaniment is the song,
    // as a real separator would answer.
    if (instrumental) return [{ name: 'vocals', parts: [] }, { name: 'instrumental', parts: PART_NAMES }];
    return [
      { name: 'vocals', parts: ['lead'] },
      { name: 'instrumental', parts: PART_NAMES.filter((part) => part !== 'lead') },
    ];
  }
  // Multitrack lists only the tracks that have something in them; an instrumental's lead line is
  // played, not sung, so it comes back as the synth track.
  return [
    { name: instrumental ? 'synth' : 'vocals', parts: ['lead'] },
    { name: 'drums', parts: ['drums'] },
    { name: 'bass', parts: ['bass'] },
    { name: 'keyboard', parts: ['keys'] },
  ];
}
