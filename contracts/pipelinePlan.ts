// A pipeline definition once it has been checked: the shape the client hands the generic pipeline
// workflow. Every reference between steps is resolved to a step name that exists, the steps are in
// an order where each comes after the steps it reads, and files the user named (lyrics, audio) have
// been read or located on the client's side, so the workflow needs no I/O to understand its plan.
import type { ClipRef, ProviderName, Section, StepKind, Variation, VocalGender, Weights } from '../providers/model';
import type { ArtifactRecord } from './artifacts';
import type { StepProgress } from './pipelineMessages';
import type { ManifestFile } from './trackManifest';

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
  /** Its sha256, read when the plan was made: a rerun with the same file reuses the step. */
  audioSha256?: string;
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
  /** inspiration: a provider playlist of reference songs. */
  playlistId?: string;
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
  /** The kept step whose clip is the definition's finished audio (the definition's `final`, or the last kept step that makes audio); none when no kept step makes audio. */
  final?: string;
}

/** What the generic pipeline workflow is started with. */
export interface PipelineRunInput {
  plan: PipelinePlan;
  /** Absolute folder for the run's files. */
  outDir: string;
  /** Ask providers for webhooks; polling always runs as the fallback. */
  callbacks: boolean;
  /** For steps whose clip choice is `review`: how long to wait for a person before the first clip is taken. */
  reviewTimeoutMs?: number;
  /** Per step kind, in ms. */
  deadlines?: Partial<Record<StepKind, number>>;
  /** A submit whose outcome is unknown: wait for an operator (default), or submit again (may pay twice). */
  onAmbiguousSubmit?: 'wait' | 'resubmit';
}

/** One step in pipeline.json: what it made, and what a rerun needs to reuse it without paying again. */
export interface PipelineStepRecord {
  state: 'succeeded' | 'failed' | 'skipped';
  /** The step's kind, parameters and the results it read, as text: a rerun reuses the record only when they are the same. */
  signature: string;
  taskId?: string;
  /** The clip later steps worked on (a step that makes audio). */
  clip?: ClipRef;
  /** Text a lyrics or style step returned. */
  text?: string;
  /** The voice a persona step made. */
  personaId?: string;
  /** Files (relative to the run's folder) this step wrote. */
  files: string[];
  error?: string;
}

/** pipeline.json: the run's record, written after every step so that an interrupted run's successor can reuse it. */
export interface PipelineManifest {
  version: 1;
  name: string;
  provider: ProviderName;
  workflowId: string;
  runId: string;
  steps: Record<string, PipelineStepRecord>;
  files: ManifestFile[];
}

export interface PipelineRunResult {
  workflowId: string;
  runId: string;
  /** 'partial' when some step failed (the steps that do not depend on it are kept); 'failed' when none succeeded. */
  status: 'succeeded' | 'partial' | 'failed';
  name: string;
  provider: ProviderName;
  outDir: string;
  steps: StepProgress[];
  failedSteps: { step: string; error: string }[];
  /** Steps whose files an earlier run left intact: nothing was paid for them. */
  reusedSteps: string[];
  artifacts: ArtifactRecord[];
  /** The final step's stored audio (plan.final), when that step succeeded: what an album puts on the record. */
  finalAudio?: ArtifactRecord;
  /** The lyrics the final audio was sung with, where the definition says (a lyrics step it reads, or lyrics it was given). */
  finalLyrics?: string;
}
