// A rough style hint expanded into richer style text, as the family's "style generate" and
// "enhance tags" tools answer: the hint kept first, then instrumentation, production and mood
// words chosen from a generator seeded by the hint, so the same hint always expands the same way.

import { seededRandom } from './deterministic';

const INSTRUMENTS = ['warm analog synths', 'fingerpicked acoustic guitar', 'punchy live drums', 'deep sub bass', 'airy piano chords', 'bright brass stabs'];
const PRODUCTION = ['wide stereo mix', 'tape saturation', 'crisp modern production', 'lush reverb', 'tight sidechain pump'];
const MOODS = ['uplifting', 'bittersweet', 'driving', 'dreamy', 'nostalgic', 'confident'];

export function expandStyle(hint: string): string {
  const random = seededRandom('style', hint.trim().toLowerCase());
  const words = [hint.trim(), random.pick(INSTRUMENTS), random.pick(PRODUCTION), random.pick(MOODS), `${90 + random.int(50)} bpm`];
  return words.filter((word) => word.length > 0).join(', ');
}
