// Plausible song lyrics and titles made from the words of a prompt. They only need to look like
// lyrics (sections, rhyme-ish lines, the prompt's theme) and be the same for the same seed.

import { seededRandom, type SeededRandom } from './deterministic';

export interface GeneratedLyrics {
  title: string;
  text: string;
}

const STOP_WORDS = new Set(
  (
    'a an and are as at be but by for from has have i in into is it its me my of on or our ' +
    'so song songs that the their this to track with about very some make write music ' +
    'style like want need please you your we us they them was were will would can could ' +
    // Genre and mood words describe the music; as lyric nouns they read badly ("chasing bright").
    'pop rock jazz folk soul funk rap hip hop lofi edm indie metal punk blues country ballad ' +
    'bright dark happy sad upbeat slow fast soft loud catchy chill calm epic energetic vocal vocals ' +
    'female male instrumental beat beats tempo bpm guitar piano synth drums bass'
  ).split(' '),
);

const FALLBACK_THEMES = ['night', 'road', 'heart', 'light', 'river', 'summer', 'city', 'dream'];

const VERSE_LINES = [
  'Walking through the {a} with nowhere else to be',
  'Every {a} I find keeps calling back to me',
  'We were chasing {a} under a silver sky',
  'Holding on to {a} as the hours pass us by',
  'I can hear the {a} in the quiet of the street',
  'There is {a} in the rhythm of my feet',
  'Paint the {a} in colours we never knew',
  'All the {a} we had, I still carry it for you',
  'Morning finds the {a} where the shadows used to fall',
  'I wrote your name in {a} across an empty wall',
];

const CHORUS_LINES = [
  'Oh, {a}, take me higher',
  '{A} and {b}, we are set on fire',
  'Sing it loud, sing it for the {a}',
  'Nothing ever felt as right as {b}',
  'Hold me close, {a} is all we need',
  'Let the {b} carry you and me',
];

const BRIDGE_LINES = [
  'And if the {a} should fade away',
  'I will find the {b} another day',
  'Slow it down, let the {a} breathe',
  'Everything we are is {b} and me',
];

const TITLE_PATTERNS = ['{A}', '{A} {B}', 'The {A}', '{A} Tonight', 'Chasing {A}', '{A} and {B}', 'Under the {A}'];

export function themeWords(prompt: string): string[] {
  const words = prompt
    .toLowerCase()
    .split(/[^\p{L}\p{N}']+/u)
    .filter((word) => word.length >= 3 && !STOP_WORDS.has(word));
  return [...new Set(words)];
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function fill(template: string, random: SeededRandom, themes: string[]): string {
  const a = random.pick(themes);
  const b = random.pick(themes.length > 1 ? themes.filter((word) => word !== a) : themes);
  return template
    .replaceAll('{a}', a)
    .replaceAll('{b}', b)
    .replaceAll('{A}', capitalize(a))
    .replaceAll('{B}', capitalize(b));
}

/** Draws templates without repeating one inside a section (until the pool runs out). */
function lines(pool: readonly string[], count: number, random: SeededRandom, themes: string[]): string[] {
  let remaining = [...pool];
  return Array.from({ length: count }, () => {
    if (remaining.length === 0) remaining = [...pool];
    const [template] = remaining.splice(random.int(remaining.length), 1);
    return fill(template ?? '', random, themes);
  });
}

export function generateTitle(prompt: string, seedLabel: string): string {
  const random = seededRandom(seedLabel, 'title');
  const themes = themeWords(prompt);
  return fill(random.pick(TITLE_PATTERNS), random, themes.length > 0 ? themes : FALLBACK_THEMES);
}

/** Lyrics in the family's layout: bracketed section headers, one sung line per text line. */
export function generateLyrics(prompt: string, seedLabel: string): GeneratedLyrics {
  const random = seededRandom(seedLabel, 'lyrics');
  const found = themeWords(prompt);
  const themes = found.length > 0 ? found : FALLBACK_THEMES;
  const chorus = lines(CHORUS_LINES, 4, random, themes);
  const sections = [
    ['[Verse]', ...lines(VERSE_LINES, 4, random, themes)],
    ['[Chorus]', ...chorus],
    ['[Verse 2]', ...lines(VERSE_LINES, 4, random, themes)],
    ['[Chorus]', ...chorus],
    ['[Bridge]', ...lines(BRIDGE_LINES, 2, random, themes)],
    ['[Chorus]', ...chorus],
    ['[Outro]', fill('{A}, {a}, oh', random, themes)],
  ];
  return {
    title: generateTitle(prompt, seedLabel),
    text: sections.map((section) => section.join('\n')).join('\n\n'),
  };
}
