// Rules that relate manifest fields to each other. They read the raw document defensively (a field
// of the wrong type is zod's to report, and is skipped here), so one pass over a broken manifest
// lists every problem: the field errors and these together.
import { PROVIDER_NAMES, type ProviderName, type StepKind } from '../../providers/model';
import { adapterFor } from '../../providers/registry';
import { PIPELINE_STEPS } from '../../contracts/trackManifest';
import { pathError } from '../../pipeline/definition/pathErrors';

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

/** The known pipeline steps of a list (unknown names are zod's to report). */
function stepList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((s): s is string => (PIPELINE_STEPS as readonly unknown[]).includes(s)) : undefined;
}

/** The provider the album runs on: its own `provider` field, else the caller's default. */
export function albumProvider(raw: unknown, defaultProvider: ProviderName): ProviderName | undefined {
  const named = isRecord(raw) ? raw.provider : undefined;
  if (named === undefined) return defaultProvider;
  return (PROVIDER_NAMES as readonly unknown[]).includes(named) ? (named as ProviderName) : undefined;
}

/** The 1-based number of the track a `from-track` persona names, or the reason there is none. */
export function personaTrackNumber(ref: unknown, tracks: readonly unknown[]): { number: number } | { error: string } {
  if (typeof ref === 'number') {
    if (!Number.isInteger(ref)) return { error: `must be a whole track number or a title (got ${ref})` };
    if (ref < 1 || ref > tracks.length) return { error: `no track ${ref} (the album has ${tracks.length})` };
    return { number: ref };
  }
  const wanted = String(ref).trim().toLowerCase();
  const matches = tracks.flatMap((t, i) => (isRecord(t) && typeof t.title === 'string' && t.title.trim().toLowerCase() === wanted ? [i + 1] : []));
  if (matches.length === 0) return { error: `no track titled "${String(ref).trim()}"` };
  if (matches.length > 1) return { error: `${matches.length} tracks are titled "${String(ref).trim()}" (tracks ${matches.join(', ')}); name it by number` };
  return { number: matches[0]! };
}

/** The pipeline a raw track runs: its own `pipeline`, else the album's, else the built-in song pipeline. */
export function trackPipelineName(raw: unknown, track: unknown): string {
  const own = isRecord(track) && nonEmptyString(track.pipeline) ? track.pipeline.trim() : undefined;
  const album = isRecord(raw) && nonEmptyString(raw.pipeline) ? raw.pipeline.trim() : undefined;
  return own ?? album ?? 'song';
}

export function crossFieldErrors(raw: unknown, defaultProvider: ProviderName): string[] {
  if (!isRecord(raw)) return [];
  const errors: string[] = [];
  const defaults = isRecord(raw.defaults) ? raw.defaults : {};
  const tracks = Array.isArray(raw.tracks) ? raw.tracks : [];
  const provider = albumProvider(raw, defaultProvider);
  const offered: readonly StepKind[] | undefined = provider ? adapterFor(provider).capabilities : undefined;
  const defaultInstrumental = defaults.instrumental === true;
  const defaultStyle = nonEmptyString(defaults.style);

  if (nonEmptyString(raw.model) && nonEmptyString(defaults.model) && raw.model.trim() !== defaults.model.trim()) {
    errors.push(pathError(['defaults', 'model'], `conflicts with model "${raw.model.trim()}"; set only one of them`));
  }

  const defaultSteps = stepList(defaults.steps);
  if (provider && offered && defaultSteps) {
    const missing = defaultSteps.filter((s) => !offered.includes(s as StepKind));
    const inheriting = tracks.flatMap((t, i) => (isRecord(t) && t.steps === undefined ? [i + 1] : []));
    if (missing.length > 0 && inheriting.length > 0) {
      errors.push(pathError(['defaults', 'steps'], `provider ${provider} does not offer ${stepWords(missing)} (asked for by ${inheriting.length === 1 ? 'track' : 'tracks'} ${inheriting.join(', ')}; it offers ${offered.join(', ')})`));
    }
  }

  tracks.forEach((track, index) => {
    if (!isRecord(track)) return;
    const at = (...rest: (string | number)[]) => ['tracks', index, ...rest];
    const label = `track ${index + 1}${nonEmptyString(track.title) ? ` "${track.title.trim()}"` : ''}`;
    const hasPrompt = present(track.prompt);
    const hasLyricsFile = present(track.lyricsFile);
    const instrumental = typeof track.instrumental === 'boolean' ? track.instrumental : defaultInstrumental;

    // An instrumental has no use for a lyrics file, so only a prompt can describe it.
    if (!hasPrompt && (instrumental || !hasLyricsFile)) {
      errors.push(pathError(at(), instrumental ? 'needs prompt (an instrumental track is described by its prompt)' : 'needs prompt or lyricsFile'));
    }
    if (hasLyricsFile && instrumental) {
      const why = track.instrumental === true ? 'the track is instrumental' : 'defaults.instrumental is true';
      errors.push(pathError(at('lyricsFile'), `not allowed on an instrumental track (${why})`));
    }
    // With our own lyrics and no prompt, the style is all that tells the provider what music to make.
    if (hasLyricsFile && !instrumental && !hasPrompt && !present(track.style) && !defaultStyle) {
      errors.push(pathError(at('style'), 'required when the track has lyricsFile and no prompt (or set defaults.style)'));
    }
    const definition = trackPipelineName(raw, track);
    if (definition !== 'song' && present(track.steps)) {
      errors.push(pathError(at('steps'), `not used by a track that runs the definition ${definition} (its steps are the definition's); remove steps, or set pipeline: song`));
    }
    const own = stepList(track.steps);
    if (provider && offered && own) {
      const missing = own.filter((s) => !offered.includes(s as StepKind));
      if (missing.length > 0) errors.push(pathError(at('steps'), `provider ${provider} does not offer ${stepWords(missing)} (${label})`));
    }
  });

  const persona = raw.persona;
  if (isRecord(persona) && (persona.strategy === 'from-track' || persona.strategy === 'given')) {
    if (provider && offered && !offered.includes('persona')) {
      errors.push(pathError(['persona', 'strategy'], `provider ${provider} does not offer personas (the persona step); use strategy none or another provider`));
    }
    if (persona.strategy === 'from-track' && (typeof persona.track === 'number' || nonEmptyString(persona.track)) && tracks.length > 0) {
      const found = personaTrackNumber(persona.track, tracks);
      if ('error' in found) errors.push(pathError(['persona', 'track'], found.error));
      else {
        const source = tracks[found.number - 1];
        const instrumental = isRecord(source) && typeof source.instrumental === 'boolean' ? source.instrumental : defaultInstrumental;
        if (instrumental) errors.push(pathError(['persona', 'track'], `track ${found.number} is instrumental; a persona needs a track with vocals`));
        const runs = trackPipelineName(raw, source);
        if (runs !== 'song') errors.push(pathError(['persona', 'track'], `track ${found.number} runs the definition ${runs}; the album's persona is made by a track on the built-in song pipeline (give it pipeline: song)`));
      }
    }
  }
  return errors;
}

function stepWords(steps: readonly string[]): string {
  return steps.length === 1 ? `the ${steps[0]} step` : `the steps ${steps.join(', ')}`;
}
