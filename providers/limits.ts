// How much text each dialect takes in each field, and the check that refuses a request over it before
// anything is paid for. Adapters used to cut long text to fit (a 10,000-character prompt reached the
// provider as its first 200 characters for the lyrics and its first 1,000 as the style), which pays
// for a song the user did not describe; now the command says which field is too long, by how much,
// and for which provider, next to the refusal of fields a dialect cannot send (capabilities.ts).
import type { ProviderName, SongRequest, StepRequest } from './model';

export interface TextLimits {
  /** A description the provider writes the song from (simple or inspiration mode). */
  description: number;
  /** Lyrics sung as given (custom mode). */
  lyrics: number;
  /** Style tags (and the styles to avoid). */
  style: number;
  title: number;
  /** What the lyrics step is asked to write about. */
  lyricsPrompt: number;
}

/**
 * Per dialect, in characters. Only the AceData seed states a number (its `prompt`, "no longer than
 * 200 characters"); the CQT figures (description 400, title 80, lyrics 5000, tags 1000) are those its
 * request schema already enforced. Where the seeds are silent we chose, and say so: lyrics 5000,
 * style 1000 and title 80 are the limits of the newest Suno models that every one of these gateways
 * relays; a description of 500 is Suno's own; anyint's lyrics prompt keeps the 200 its adapter used
 * to cut to; the other lyrics routes get a generous 1000 (nothing was cut there before, and a longer
 * theme is better refused by us than by a provider that may charge for the attempt).
 */
export const TEXT_LIMITS: Readonly<Record<ProviderName, TextLimits>> = {
  anyint: { description: 500, lyrics: 5000, style: 1000, title: 80, lyricsPrompt: 200 },
  aimusicapi: { description: 500, lyrics: 5000, style: 1000, title: 80, lyricsPrompt: 1000 },
  newapi: { description: 500, lyrics: 5000, style: 1000, title: 80, lyricsPrompt: 1000 },
  acedata: { description: 200, lyrics: 5000, style: 1000, title: 80, lyricsPrompt: 1000 },
  cqt: { description: 400, lyrics: 5000, style: 1000, title: 80, lyricsPrompt: 1000 },
};

/**
 * Dialects that send an instrumental with a style or title in custom mode (the others describe every
 * instrumental), and that send the description as the style when a custom-mode song has none.
 */
const INSTRUMENTAL_CUSTOM: ReadonlySet<ProviderName> = new Set(['anyint', 'cqt']);
const PROMPT_AS_STYLE: ReadonlySet<ProviderName> = new Set(['anyint', 'cqt', 'aimusicapi', 'newapi']);

/** True when the dialect sends the song in custom mode (our lyrics, style and title) rather than as a description. */
function isCustomMode(provider: ProviderName, song: SongRequest): boolean {
  if (song.lyrics && !song.instrumental) return true;
  return INSTRUMENTAL_CUSTOM.has(provider) && song.instrumental && Boolean(song.style || song.title);
}

function over(provider: ProviderName, field: string, text: string | undefined, limit: number, role = ''): string[] {
  if (text === undefined || text.length <= limit) return [];
  return [`${field}: ${text.length} characters, but ${provider} takes at most ${limit}${role}`];
}

/**
 * Every field of `request` longer than `provider` takes, each as `<field>: <n> characters, but
 * <provider> takes at most <limit>` (with the role the field plays when it is not obvious). Empty when
 * the request fits.
 */
export function textLimitProblems(provider: ProviderName, request: StepRequest): string[] {
  const limits = TEXT_LIMITS[provider];
  switch (request.kind) {
    case 'lyrics':
      return over(provider, 'prompt', request.lyrics.prompt, limits.lyricsPrompt, ' as the theme of the lyrics step');
    case 'song': {
      const song = request.song;
      const problems: string[] = [];
      if (isCustomMode(provider, song)) {
        if (song.style === undefined && PROMPT_AS_STYLE.has(provider)) problems.push(...over(provider, 'prompt', song.prompt, limits.style, ' as the style (no style was given)'));
      } else {
        problems.push(...over(provider, 'prompt', song.prompt, limits.description, ' as the description of the song'));
      }
      if (!song.instrumental) problems.push(...over(provider, 'lyrics', song.lyrics, limits.lyrics));
      problems.push(...over(provider, 'style', song.style, limits.style));
      problems.push(...over(provider, 'negativeStyle', song.negativeStyle, limits.style));
      problems.push(...over(provider, 'title', song.title, limits.title));
      return problems;
    }
    case 'style':
      return over(provider, 'prompt', request.style.prompt, limits.style, ' as the style to expand');
    default:
      if ('transform' in request) {
        const t = request.transform;
        return [
          ...over(provider, 'lyrics', t.lyrics, limits.lyrics),
          ...over(provider, 'style', t.style, limits.style),
          ...over(provider, 'negativeStyle', t.negativeStyle, limits.style),
          ...over(provider, 'title', t.title, limits.title),
        ];
      }
      return [];
  }
}

/** The error for text over a dialect's limits: it names the provider, the step and each field. */
export function limitRefusal(provider: ProviderName, kind: string, problems: readonly string[]): Error {
  return new Error(`the ${kind} step is too long for ${provider}: ${problems.join('; ')}; nothing was submitted`);
}

/**
 * The text checks of a song pipeline, all at once: the lyrics step (which writes from the prompt)
 * when it runs, and the song as the provider will get it (with lyrics still to come stood in for).
 */
export function songPipelineLimitProblems(provider: ProviderName, song: SongRequest, steps: readonly string[]): string[] {
  const lyricsComing = steps.includes('lyrics') && !song.instrumental && !song.lyrics;
  const problems = lyricsComing ? textLimitProblems(provider, { kind: 'lyrics', lyrics: { prompt: song.prompt } }) : [];
  const asSent: SongRequest = { ...song, lyrics: song.lyrics ?? (lyricsComing ? 'lyrics' : undefined) };
  for (const problem of textLimitProblems(provider, { kind: 'song', song: asSent })) if (!problems.includes(problem)) problems.push(problem);
  return problems;
}
