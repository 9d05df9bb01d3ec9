// What pipeline a track runs: the built-in song pipeline (`pipeline: song`, the default), or a
// definition file (relative to the manifest) that the album runs as a child pipelineRun. The track's
// own settings fill the definition's generating steps — the steps that read no clip, where music or
// words start — wherever the definition leaves them open and the step's kind takes them:
//
// - prompt, title, style and model from the track (style from `defaults.style` too);
// - `instrumental: true` when the track is instrumental;
// - the track's lyrics file as `lyrics`, on a vocal track, where the step has no lyrics of its own
//   (no `lyrics`, `lyricsFile` or `lyricsFrom`);
// - the album's persona (a given id, or the one the persona track makes) as `persona`, on a vocal
//   track, where the step has no `persona` or `personaFrom`.
//
// A definition that wants written lyrics has a lyrics step of its own (its prompt is the track's);
// the album's shared lyrics step is for song tracks only, so a definition's run reuses everything it
// made, lyrics included, through its own pipeline.json. What a definition sets itself always wins.
import path from 'node:path';
import type { PipelinePlan } from '../../contracts/pipelinePlan';
import type { ProviderName, StepKind } from '../../providers/model';
import { planPipeline } from '../../pipeline/definition/load';
import { STEP_RULES, type ParamField } from '../../pipeline/definition/stepRules';
import { readDocumentFile, readYamlDocument } from '../../pipeline/definition/yamlDocument';

/** The value of `pipeline:` that names the built-in song pipeline. */
export const BUILTIN_SONG = 'song';

/** How a track is made: the built-in song pipeline, or a checked definition run as a child pipelineRun. */
export type TrackPipeline =
  | { kind: 'song' }
  | {
      kind: 'definition';
      /** As the manifest names it (for messages). */
      given: string;
      /** Absolute path of the definition file. */
      file: string;
      /** The plan, with the track's settings already filled in. */
      plan: PipelinePlan;
      /** Steps that sing with the album's persona made by the persona track: the album fills in its id when it is known. */
      personaSteps: string[];
    };

/** The track's settings a definition's generating steps receive (see the file's comment). */
export interface TrackValues {
  title?: string;
  prompt?: string;
  style?: string;
  model?: string;
  instrumental: boolean;
  lyrics?: string;
  /** A given persona id, or `album` when the persona track makes it during the run. */
  persona?: { id: string } | 'album';
}

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Stands in for the persona id the persona track will make, while the definition is checked. */
const ALBUM_PERSONA_STAND_IN = 'album-persona';

/** A step that reads no clip: where the definition's music (or words) start. */
function isGenerating(step: Raw): boolean {
  return step.clip === undefined && step.clips === undefined && step.audio === undefined;
}

/**
 * The definition (as read from its file, not yet checked) with the track's settings filled in, and
 * the steps that sing with the album's persona. Defensive about the document's shape: anything
 * malformed is left as it is for the definition's own checks to report.
 */
export function fillTrackValues(raw: unknown, values: TrackValues): { definition: unknown; personaSteps: string[] } {
  if (!isRecord(raw) || !isRecord(raw.steps)) return { definition: raw, personaSteps: [] };
  const steps: Raw = {};
  const personaSteps: string[] = [];
  for (const [name, value] of Object.entries(raw.steps)) {
    if (!isRecord(value) || typeof value.kind !== 'string' || !(value.kind in STEP_RULES) || !isGenerating(value)) {
      steps[name] = value;
      continue;
    }
    const takes = (field: ParamField) => STEP_RULES[value.kind as StepKind].params.includes(field);
    const step: Raw = { ...value };
    const fill = (field: ParamField, given: unknown, open: boolean = step[field] === undefined) => {
      if (given !== undefined && open && takes(field)) step[field] = given;
    };
    fill('prompt', values.prompt);
    fill('title', values.title);
    fill('style', values.style, step.style === undefined && step.styleFrom === undefined);
    fill('model', values.model, step.model === undefined && raw.model === undefined);
    if (values.instrumental) fill('instrumental', true);
    const vocal = step.instrumental !== true;
    if (vocal) fill('lyrics', values.lyrics, step.lyrics === undefined && step.lyricsFile === undefined && step.lyricsFrom === undefined);
    if (vocal && values.persona && takes('persona') && step.persona === undefined && step.personaFrom === undefined) {
      step.persona = values.persona === 'album' ? ALBUM_PERSONA_STAND_IN : values.persona.id;
      if (values.persona === 'album') personaSteps.push(name);
    }
    steps[name] = step;
  }
  return { definition: { ...raw, steps }, personaSteps };
}

export type TrackPipelineResult = { ok: true; pipeline: TrackPipeline } | { ok: false; errors: string[] };

/**
 * Reads and checks a track's definition file (relative to the manifest's folder) with the track's
 * settings filled in, on the album's provider. Errors are the definition's own (`steps.x.y: ...`),
 * for the caller to prefix with where the manifest names the file.
 */
export async function loadTrackPipeline(given: string, manifestDir: string, provider: ProviderName, values: TrackValues): Promise<TrackPipelineResult> {
  const file = path.resolve(manifestDir, given);
  const read = await readDocumentFile(given, file);
  if (!read.ok) return { ok: false, errors: [read.errors[0]!.replace(/: no such file$/, `: no such file (looked for ${file})`)] };
  const document = readYamlDocument(read.text, given);
  if (!document.ok) return document;
  const named = isRecord(document.value) ? document.value.provider : undefined;
  if (typeof named === 'string' && named !== provider) {
    return { ok: false, errors: [`${given}: names provider ${named}, but the album runs on ${provider} (remove it from the definition, or run the album on ${named})`] };
  }
  const filled = fillTrackValues(document.value, values);
  const planned = await planPipeline(filled.definition, { provider, baseDir: path.dirname(file), file: given });
  if (!planned.ok) return { ok: false, errors: planned.errors.map((e) => `${given}: ${e}`) };
  const plan = planned.plan;
  if (plan.final === undefined) return { ok: false, errors: [`${given}: makes no audio to put on the album (no kept step makes audio)`] };
  // The persona the album makes is filled in by the album workflow once it exists.
  for (const step of plan.steps) if (filled.personaSteps.includes(step.name)) delete step.params.personaId;
  return { ok: true, pipeline: { kind: 'definition', given, file, plan, personaSteps: filled.personaSteps } };
}
