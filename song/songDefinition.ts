// The song pipeline written as a pipeline definition: what `npm run song` runs (lyrics, the song,
// then the later steps on its clip), as a definition a user can print
// (`npm run pipeline -- --builtin song --print`), copy and change, and that the generic pipelineRun
// workflow runs like any other. The step names are the song pipeline's own, so the files land
// under the same names (song.mp3, cover-art.png, timestamped-lyrics.lrc, stems/...).
//
// `npm run song` itself still runs songPipeline: it keeps track.json, reuse of earlier song folders,
// the album's lyrics and persona hand-off and the review window, which the generic workflow records
// differently (pipeline.json); the two make the same kinds of files from the same steps.
import type { ProviderName, SongRequest } from '../providers/model';
import { adapterFor } from '../providers/registry';
import type { PipelineDefinition, StepDefinition } from '../pipeline/definition/schema';
import { AFTER_SONG_STEPS, PIPELINE_STEPS, type PipelineStep } from '../contracts/trackManifest';

export interface SongDefinitionOptions {
  provider: ProviderName;
  /** The song as `npm run song` takes it (prompt, title, style, lyrics, instrumental, model, persona id). */
  request: SongRequest;
  /** The song pipeline's steps (default: as `npm run song`: every step the provider offers, persona not when a persona id is given). */
  steps?: readonly PipelineStep[];
}

/** `npm run song`'s default steps on a provider. */
export function defaultSongSteps(provider: ProviderName, personaId?: string): PipelineStep[] {
  const offered = adapterFor(provider).capabilities;
  return PIPELINE_STEPS.filter((s) => offered.includes(s) && !(s === 'persona' && personaId));
}

/**
 * The definition that makes what songPipeline makes for this request and these steps. Steps that
 * cannot apply are left out as songPipeline leaves them out: lyrics when the request brings its own
 * or is instrumental, persona and timed lyrics on an instrumental, persona when a persona id is given.
 */
export function songDefinition({ provider, request, steps = defaultSongSteps(provider, request.personaId) }: SongDefinitionOptions): PipelineDefinition {
  const wanted = new Set(steps);
  const out: Record<string, StepDefinition> = {};
  const writesLyrics = wanted.has('lyrics') && !request.lyrics && !request.instrumental;
  if (writesLyrics) out.lyrics = { kind: 'lyrics', prompt: request.prompt };
  const song: StepDefinition = { kind: 'song', prompt: request.prompt };
  if (request.title) song.title = request.title;
  if (request.style) song.style = request.style;
  if (request.instrumental) song.instrumental = true;
  else if (request.lyrics) song.lyrics = request.lyrics;
  else if (writesLyrics) song.lyricsFrom = 'lyrics';
  if (request.model) song.model = request.model;
  if (request.personaId && !request.instrumental) song.persona = request.personaId;
  // songPipeline takes the first clip the provider finished.
  song.choose = 'first';
  out.song = song;
  for (const step of AFTER_SONG_STEPS) {
    if (!wanted.has(step)) continue;
    if (request.instrumental && (step === 'persona' || step === 'timestamped-lyrics')) continue;
    if (step === 'persona' && request.personaId) continue;
    if (step === 'persona') {
      // songPipeline names the voice after the song and describes it by its style.
      const persona: StepDefinition = { kind: 'persona', clip: 'song' };
      if (request.title) persona.name = request.title;
      persona.description = (request.style ?? `voice of ${request.title ?? 'the song'}`).slice(0, 500);
      out.persona = persona;
    } else out[step] = { kind: step, clip: 'song' };
  }
  return {
    name: 'song',
    description: "The built-in song pipeline (npm run song): lyrics, the song, then the later steps on its clip, side by side.",
    provider,
    concurrency: 8,
    final: 'song',
    steps: out,
  };
}
