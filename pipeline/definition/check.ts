// Every rule a definition must meet beyond its field types, reported in one pass: what each step kind
// needs and takes (stepRules.ts), ranges that relate two fields, references and cycles (graph.ts),
// and what the chosen provider offers — its step kinds and, per step, the fields its dialect can send.
import type { PlannedStep } from '../../contracts/pipelinePlan';
import { fieldRefusal, unsupportedFields } from '../../providers/capabilities';
import { textLimitProblems } from '../../providers/limits';
import type { ClipRef, ProviderName, StepKind } from '../../providers/model';
import { adapterFor } from '../../providers/registry';
import { stepRequest, type ResolvedInputs } from '../stepRequest';
import { orderSteps, referenceErrors } from './graph';
import { pathError } from './pathErrors';
import { PIPELINE_LIMITS, type PipelineDefinition, type StepDefinition } from './schema';
import { INPUT_FIELDS, PARAM_FIELDS, STEP_RULES, type InputField } from './stepRules';

function given(step: StepDefinition, field: InputField): boolean {
  return step[field] !== undefined;
}

/** Inputs and parameters against the kind's rule. */
export function stepRuleErrors(name: string, step: StepDefinition): string[] {
  const rule = STEP_RULES[step.kind];
  const at = (field: string) => ['steps', name, field];
  const errors: string[] = [];
  const needed = new Set(rule.needs.flat());
  for (const field of INPUT_FIELDS) {
    if (given(step, field) && !needed.has(field) && !rule.mayRead.includes(field)) errors.push(pathError(at(field), `a ${step.kind} step reads no ${field}`));
  }
  const satisfied = rule.needs.some((group) => group.every((field) => given(step, field)));
  if (!satisfied) {
    const options = rule.needs.map((group) => group.join(' and ')).filter(Boolean);
    errors.push(pathError(at(rule.needs[0]![0] ?? 'kind'), `a ${step.kind} step needs ${options.join(' or ')}`));
  }
  if (step.clips && rule.clipCount) {
    const { min, max } = rule.clipCount;
    if (step.clips.length < min || step.clips.length > max) {
      errors.push(pathError(at('clips'), min === max ? `a ${step.kind} step joins exactly ${min} clips (it lists ${step.clips.length})` : `lists ${step.clips.length} clips; a ${step.kind} step takes ${min} to ${max}`));
    }
  }
  for (const field of PARAM_FIELDS) {
    if (step[field] !== undefined && !rule.params.includes(field)) errors.push(pathError(at(field), `a ${step.kind} step takes no ${field}`));
  }
  // Clips and the user's audio are one list of references for an inspiration (AceData: 1 to 4 in all).
  const references = (step.clips?.length ?? 0) + (step.audio ? 1 : 0);
  if (step.kind === 'inspiration' && step.audio && references > PIPELINE_LIMITS.inspirationReferences) {
    errors.push(pathError(at('audio'), `a inspiration step takes at most ${PIPELINE_LIMITS.inspirationReferences} references in all (clips and audio), got ${references}`));
  }
  if (rule.needsOneOf && !rule.needsOneOf.some((field) => step[field] !== undefined)) {
    errors.push(pathError(at(rule.needsOneOf[0]!), `a ${step.kind} step needs ${rule.needsOneOf.join(' or ')}`));
  }
  for (const field of rule.required ?? []) {
    if (step[field] === undefined) errors.push(pathError(at(field), `required for a ${step.kind} step`));
  }
  if (step.lyrics !== undefined && step.lyricsFile !== undefined) errors.push(pathError(at('lyricsFile'), 'give lyrics or lyricsFile, not both'));
  if ((step.lyrics !== undefined || step.lyricsFile !== undefined) && step.lyricsFrom !== undefined) errors.push(pathError(at('lyricsFrom'), 'give lyrics (or lyricsFile) or lyricsFrom, not both'));
  if (step.persona !== undefined && step.personaFrom !== undefined) errors.push(pathError(at('personaFrom'), 'give persona or personaFrom, not both'));
  if (step.section && step.section.end <= step.section.start) {
    errors.push(pathError([...at('section'), 'end'], `must be after start (${step.section.start} s), got ${step.section.end} s`));
  }
  if (step.choose !== undefined && !rule.yieldsClips) errors.push(pathError(at('choose'), `a ${step.kind} step makes no clips to choose from`));
  return errors;
}

const STAND_IN_CLIP: ClipRef = { taskId: 'check', clipId: 'check', audioUrl: 'https://check.invalid/a.mp3', durationSeconds: 60 };

/** Stand-ins for the step's inputs, so the adapter can be asked which fields it would send. */
function standInInputs(step: StepDefinition): ResolvedInputs {
  return {
    clip: step.clip || (step.audio && !step.audio.startsWith('upload:')) ? STAND_IN_CLIP : undefined,
    clips: step.clips?.map(() => STAND_IN_CLIP),
    audioUrl: step.audio?.startsWith('upload:') ? 'https://check.invalid/upload.mp3' : undefined,
    lyrics: step.lyricsFrom || step.lyricsFile ? 'la la la' : undefined,
    personaId: step.personaFrom ? 'check' : undefined,
    style: step.styleFrom ? 'check' : undefined,
  };
}

/** The provider's step kinds, and the fields its dialect cannot send for each step. */
export function providerErrors(provider: ProviderName, steps: Readonly<Record<string, StepDefinition>>, toPlanned: (name: string) => PlannedStep): string[] {
  const adapter = adapterFor(provider);
  const errors: string[] = [];
  for (const [name, step] of Object.entries(steps)) {
    if (!adapter.capabilities.includes(step.kind as StepKind)) {
      errors.push(pathError(['steps', name, 'kind'], `provider ${provider} does not offer ${step.kind} (it offers: ${adapter.capabilities.join(', ')})`));
      continue;
    }
    let request;
    try {
      request = stepRequest(toPlanned(name), standInInputs(step));
    } catch {
      continue; // a missing input is reported by the step rules already
    }
    const fields = unsupportedFields(adapter, request);
    if (fields.length > 0) errors.push(pathError(['steps', name], fieldRefusal(provider, step.kind as StepKind, fields).message.replace(/; nothing was submitted$/, '')));
    for (const problem of textLimitProblems(provider, request)) errors.push(pathError(['steps', name], problem));
  }
  return errors;
}

/** `final` must name a kept step that makes audio. */
function finalStepErrors(definition: PipelineDefinition): string[] {
  const name = definition.final;
  if (name === undefined) return [];
  const step = definition.steps[name];
  if (!step) return [pathError(['final'], `no step named "${name}" (steps: ${Object.keys(definition.steps).join(', ')})`)];
  const errors: string[] = [];
  if (!STEP_RULES[step.kind].yieldsClips) errors.push(pathError(['final'], `must name a step that makes audio (a ${step.kind} step does not): "${name}"`));
  if (definition.keep && !definition.keep.includes(name)) errors.push(pathError(['final'], `step "${name}" is not kept (add it to keep)`));
  return errors;
}

/** The finished audio's step: the definition's `final`, else the last kept step in run order that makes audio. */
export function finalStepOf(definition: PipelineDefinition, order: readonly string[]): string | undefined {
  if (definition.final !== undefined) return definition.final;
  const kept = (name: string) => !definition.keep || definition.keep.includes(name);
  return [...order].reverse().find((name) => kept(name) && STEP_RULES[definition.steps[name]!.kind].yieldsClips);
}

/** Errors of the whole definition that no single field shows, all in one pass. */
export function definitionErrors(definition: PipelineDefinition, provider: ProviderName, toPlanned: (name: string) => PlannedStep): { errors: string[]; order: string[] } {
  const errors: string[] = [];
  for (const [name, step] of Object.entries(definition.steps)) errors.push(...stepRuleErrors(name, step));
  errors.push(...referenceErrors(definition.steps));
  for (const [index, name] of (definition.keep ?? []).entries()) {
    if (!(name in definition.steps)) errors.push(pathError(['keep', index], `no step named "${name}"`));
  }
  errors.push(...finalStepErrors(definition));
  errors.push(...providerErrors(provider, definition.steps, toPlanned));
  const ordered = orderSteps(definition.steps);
  if ('cycle' in ordered) {
    errors.push(pathError(['steps', ordered.cycle[0]!], `the steps read each other in a loop: ${ordered.cycle.join(' → ')}`));
    return { errors, order: [] };
  }
  return { errors, order: ordered.order };
}
