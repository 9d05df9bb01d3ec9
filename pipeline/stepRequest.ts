// A planned step, with what its inputs turned out to be, becomes the canonical request a provider
// adapter builds. Pure and deterministic: the generic workflow calls it when a step's inputs are
// ready, and the definition check calls it with stand-in inputs to ask the provider's adapter which
// fields it could not send, before anything starts.
import type { PlannedStep } from '../contracts/pipelinePlan';
import type { ClipRef, StepRequest, TransformKind, TransformRequest } from '../providers/model';
import { CLIP_STEPS, TRANSFORM_STEPS } from '../providers/model';

/** What a step's inputs resolved to once the steps it reads have finished. */
export interface ResolvedInputs {
  clip?: ClipRef;
  clips?: ClipRef[];
  /** The user's own audio at a URL the provider can fetch. */
  audioUrl?: string;
  /** Sung lyrics from a lyrics step. */
  lyrics?: string;
  /** A voice from a persona step. */
  personaId?: string;
  /** An expanded style from a style step. */
  style?: string;
}

function isTransform(kind: string): kind is TransformKind {
  return (TRANSFORM_STEPS as readonly string[]).includes(kind);
}

function isClipStep(kind: string): kind is (typeof CLIP_STEPS)[number] {
  return (CLIP_STEPS as readonly string[]).includes(kind);
}

function required<T>(value: T | undefined, step: PlannedStep, what: string): T {
  if (value === undefined) throw new Error(`step ${step.name}: ${what} is missing`);
  return value;
}

export function stepRequest(step: PlannedStep, inputs: ResolvedInputs): StepRequest {
  const p = step.params;
  const lyrics = inputs.lyrics ?? p.lyrics;
  const style = inputs.style ?? p.style;
  const personaId = inputs.personaId ?? p.personaId;
  if (step.kind === 'lyrics') return { kind: 'lyrics', lyrics: { prompt: required(p.prompt, step, 'prompt') } };
  if (step.kind === 'style') return { kind: 'style', style: { prompt: required(p.prompt, step, 'prompt') } };
  if (step.kind === 'song') {
    return {
      kind: 'song',
      song: {
        prompt: p.prompt ?? p.title ?? lyrics?.split('\n')[0] ?? style ?? step.name,
        title: p.title,
        style,
        lyrics: p.instrumental ? undefined : lyrics,
        instrumental: p.instrumental ?? false,
        model: p.model,
        personaId,
        negativeStyle: p.negativeStyle,
        vocalGender: p.vocalGender,
        variation: p.variation,
        weights: p.weights,
      },
    };
  }
  if (step.kind === 'persona') {
    const source = required(inputs.clip, step, 'clip');
    return { kind: 'persona', persona: { source, name: p.name ?? source.title ?? step.name, description: p.description ?? '' } };
  }
  if (step.kind === 'video') return { kind: 'video', source: required(inputs.clip, step, 'clip'), prompt: p.prompt };
  if (step.kind === 'downbeats') return { kind: 'downbeats', source: required(inputs.clip, step, 'clip') };
  if (step.kind === 'custom-model') {
    return { kind: 'custom-model', customModel: { sources: required(inputs.clips, step, 'clips'), name: required(p.name, step, 'name') } };
  }
  if (isClipStep(step.kind)) return { kind: step.kind, source: required(inputs.clip, step, 'clip') };
  if (!isTransform(step.kind)) throw new Error(`step ${step.name}: no request for kind ${step.kind}`);
  const sources = inputs.clips ?? (inputs.clip ? [inputs.clip] : undefined);
  const transform: TransformRequest = {
    sources,
    audioUrl: inputs.audioUrl,
    prompt: p.prompt,
    lyrics,
    style,
    negativeStyle: p.negativeStyle,
    title: p.title,
    model: p.model,
    instrumental: p.instrumental,
    continueAt: p.continueAt,
    section: p.section,
    seconds: p.seconds,
    weights: p.weights,
    vocalGender: p.vocalGender,
    personaId,
    playlistId: p.playlistId,
  };
  for (const key of Object.keys(transform) as (keyof TransformRequest)[]) if (transform[key] === undefined) delete transform[key];
  return { kind: step.kind, transform };
}
