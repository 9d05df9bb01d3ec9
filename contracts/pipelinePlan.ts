// A pipeline definition once it has been checked: the shape the client hands the generic pipeline
// workflow. Every reference between steps is resolved to a step name that exists, the steps are in
// an order where each comes after the steps it reads, and files the user named (lyrics, audio) have
// been read or located on the client's side, so the workflow needs no I/O to understand its plan.
import type { ProviderName, Section, StepKind, Variation, VocalGender, Weights } from '../providers/model';

/** Which clip of a step that yields several (a generation yields two) the later steps work on. */
export type ClipChoiceRule = 'first' | 'longest' | 'review' | { index: number };

/** What a step reads from earlier steps, by step name. */
export interface PlannedInputs {
  /** One earlier step's chosen clip. */
  clip?: string;
  /** Several earlier steps' chosen clips, in order (concat, mashup). */
  clips?: string[];
  /** The user's own audio file (absolute path on the client's machine), uploaded for this step only. */
  audioFile?: string;
  /** A lyrics step whose text this step sings. */
  lyricsFrom?: string;
  /** A persona step whose voice this step sings with. */
  personaFrom?: string;
  /** A style step whose expanded style this step uses. */
  styleFrom?: string;
}

/** The step's own parameters (canonical names, as in providers/model.ts). */
export interface PlannedParams {
  prompt?: string;
  lyrics?: string;
  style?: string;
  negativeStyle?: string;
  title?: string;
  model?: string;
  instrumental?: boolean;
  personaId?: string;
  continueAt?: number;
  section?: Section;
  seconds?: number;
  weights?: Weights;
  vocalGender?: VocalGender;
  variation?: Variation;
  /** persona: the voice's name and description. */
  name?: string;
  description?: string;
}

export interface PlannedStep {
  name: string;
  kind: StepKind;
  inputs: PlannedInputs;
  params: PlannedParams;
  choose: ClipChoiceRule;
  /** Download and keep this step's files (intermediate steps may be left with the provider). */
  keep: boolean;
  /** The steps this one reads, derived from `inputs`. */
  after: string[];
}

export interface PipelinePlan {
  /** The definition's name; with the plan's digest it names the run. */
  name: string;
  provider: ProviderName;
  /** Steps in an order where each comes after every step it reads. */
  steps: PlannedStep[];
  /** How many steps may run at once. */
  concurrency: number;
}
