// Entry points for pipeline definitions: a typed object, or YAML/JSON text, or a file, to the checked
// plan the generic workflow runs, or to every problem at once, each named by its path
// (`steps.extend.continueAt: ...`). Files the definition names (lyrics, the user's audio) are read or
// probed here, on the client, so nothing is submitted for a definition that could not run.
import path from 'node:path';
import type { PipelinePlan, PlannedStep } from '../../contracts/pipelinePlan';
import type { ProviderName } from '../../providers/model';
import { definitionErrors, finalStepOf } from './check';
import { readLyricsFile } from './lyricsFile';
import { issueLines, pathError } from './pathErrors';
import { KNOWN_FIELDS, pipelineSchema, UPLOAD_PREFIX, type PipelineDefinition, type StepDefinition } from './schema';
import { hashFile } from '../../artifacts/atomicFile';
import { checkAudioFile } from './audioFile';
import { readDocumentFile, readYamlDocument } from './yamlDocument';

export type PlanResult = { ok: true; plan: PipelinePlan; definition: PipelineDefinition } | { ok: false; errors: string[] };

export interface PlanOptions {
  /** The provider when the definition names none (MUSIC_PROVIDER / --provider). */
  defaultProvider?: ProviderName;
  /** Overrides the definition's provider (the CLI's --provider). */
  provider?: ProviderName;
  /** Folder that relative file names (lyricsFile, upload:) are read from; default the working folder. */
  baseDir?: string;
  /** Named in syntax errors. */
  file?: string;
}

/** Default number of steps that run at once. */
export const DEFAULT_CONCURRENCY = 4;

function plannedStep(name: string, step: StepDefinition, definition: PipelineDefinition, files: { lyrics?: string; audioFile?: string; audioSha256?: string }): PlannedStep {
  const inputs: PlannedStep['inputs'] = {};
  if (step.clip) inputs.clip = step.clip;
  if (step.clips) inputs.clips = step.clips;
  if (step.audio) {
    if (step.audio.startsWith(UPLOAD_PREFIX)) {
      inputs.audioFile = files.audioFile ?? step.audio.slice(UPLOAD_PREFIX.length);
      if (files.audioSha256) inputs.audioSha256 = files.audioSha256;
    }
    else inputs.clip = step.audio;
  }
  if (step.lyricsFrom) inputs.lyricsFrom = step.lyricsFrom;
  if (step.personaFrom) inputs.personaFrom = step.personaFrom;
  if (step.styleFrom) inputs.styleFrom = step.styleFrom;
  const params: PlannedStep['params'] = {
    prompt: step.prompt,
    lyrics: step.lyrics ?? files.lyrics,
    style: step.style,
    negativeStyle: step.negativeStyle,
    title: step.title,
    model: step.model ?? definition.model,
    instrumental: step.instrumental,
    personaId: step.persona,
    playlistId: step.playlist,
    continueAt: step.continueAt,
    section: step.section,
    seconds: step.seconds,
    weights: step.weights,
    vocalGender: step.vocalGender,
    variation: step.variation,
    name: step.name,
    description: step.description,
  };
  for (const key of Object.keys(params) as (keyof typeof params)[]) if (params[key] === undefined) delete params[key];
  const choose = step.choose === undefined ? 'first' : typeof step.choose === 'number' ? { index: step.choose } : step.choose;
  const after = [...new Set([inputs.clip, ...(inputs.clips ?? []), inputs.lyricsFrom, inputs.personaFrom, inputs.styleFrom].filter((n): n is string => n !== undefined))];
  return { name, kind: step.kind, inputs, params, choose, keep: definition.keep ? definition.keep.includes(name) : true, after };
}

/** A definition already parsed (a typed object, or one read from text) to a plan; files are read. */
export async function planPipeline(raw: unknown, options: PlanOptions = {}): Promise<PlanResult> {
  if (raw === null || raw === undefined) return { ok: false, errors: [pathError([], 'the definition is empty (it needs name and steps)')] };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, errors: [pathError([], 'expected a mapping with name and steps')] };
  const parsed = pipelineSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: unique(parsed.error.issues.flatMap((issue) => issueLines(issue, KNOWN_FIELDS))) };
  const definition = parsed.data;
  const provider = options.provider ?? definition.provider ?? options.defaultProvider ?? 'anyint';
  const baseDir = options.baseDir ?? process.cwd();

  const errors: string[] = [];
  const files = new Map<string, { lyrics?: string; audioFile?: string; audioSha256?: string }>();
  await Promise.all(
    Object.entries(definition.steps).map(async ([name, step]) => {
      const found: { lyrics?: string; audioFile?: string; audioSha256?: string } = {};
      if (step.lyricsFile) {
        const file = path.resolve(baseDir, step.lyricsFile);
        const read = await readLyricsFile(file);
        if (read.ok) found.lyrics = read.text;
        else errors.push(pathError(['steps', name, 'lyricsFile'], `${step.lyricsFile}: ${read.reason}${read.reason === 'no such file' ? ` (looked for ${file})` : ''}`));
      }
      if (step.audio?.startsWith(UPLOAD_PREFIX)) {
        const given = step.audio.slice(UPLOAD_PREFIX.length);
        const file = path.resolve(baseDir, given);
        const checked = await checkAudioFile(file);
        if (checked.ok) {
          found.audioFile = file;
          found.audioSha256 = (await hashFile(file)).sha256;
        }
        else errors.push(pathError(['steps', name, 'audio'], `${given}: ${checked.reason}`));
      }
      files.set(name, found);
    }),
  );
  const toPlanned = (name: string) => plannedStep(name, definition.steps[name]!, definition, files.get(name) ?? {});
  const checked = definitionErrors(definition, provider, toPlanned);
  errors.push(...checked.errors);
  if (errors.length > 0) return { ok: false, errors: unique(errors).sort() };
  const plan: PipelinePlan = {
    name: definition.name,
    provider,
    steps: checked.order.map(toPlanned),
    concurrency: definition.concurrency ?? DEFAULT_CONCURRENCY,
  };
  const final = finalStepOf(definition, checked.order);
  if (final !== undefined) plan.final = final;
  return { ok: true, plan, definition };
}

/** YAML or JSON text to a plan. */
export async function planPipelineText(text: string, options: PlanOptions = {}): Promise<PlanResult> {
  const read = readYamlDocument(text, options.file ?? '(definition)');
  if (!read.ok) return read;
  return planPipeline(read.value, options);
}

/** A definition file to a plan; relative file names in it are read from the file's folder. */
export async function loadPipelineFile(file: string, options: Omit<PlanOptions, 'baseDir' | 'file'> = {}): Promise<PlanResult> {
  const absolute = path.resolve(file);
  const read = await readDocumentFile(file, absolute);
  if (!read.ok) return read;
  const { text } = read;
  return planPipelineText(text, { ...options, baseDir: path.dirname(absolute), file });
}

function unique(lines: string[]): string[] {
  return [...new Set(lines)];
}
