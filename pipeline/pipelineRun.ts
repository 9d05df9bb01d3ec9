// Any pipeline definition, run durably. Each step starts as soon as the steps it reads have finished
// (a bounded number at once), goes through the provider-step machinery every step uses (a slot, one
// journalled submit, webhook hints confirmed by query, polling, a deadline, an operator for unknown
// submits), and leaves its files verified and listed in pipeline.json. A step that fails takes with
// it only the steps that read it; running the same definition again reuses every step whose files
// are intact and whose inputs are the same, and pays only for the rest.
import { setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ArtifactRecord } from '../contracts/artifacts';
import { progressQuery, type PipelineProgress } from '../contracts/pipelineMessages';
import type { PipelineManifest, PipelineRunInput, PipelineRunResult, PipelineStepRecord, PlannedStep } from '../contracts/pipelinePlan';
import { MusicProvider, MusicState, MusicStep } from '../contracts/searchAttributes';
import { manifestFile } from '../contracts/trackManifest';
import type { ClipRef } from '../providers/model';
import { innermostMessage } from '../steps/failureMessage';
import { runProviderStep } from '../steps/providerStep';
import { createStepRunner, progressReporting, STEP_RUNNER_PATCHES } from '../steps/stepRunner';
import { runPatches } from '../steps/runPatches';
import { ClipReview } from './clipRule';
import { writeTextArtifact } from '../artifacts/artifactProxies';
import { loadPreviousPipeline, publishUserAudio } from './pipelineProxies';
import { storeClip, storeOutputs, unstoredClip, type StoredStep } from './stepFiles';
import { stepRequest, type ResolvedInputs } from './stepRequest';
import { STEP_RULES } from './definition/stepRules';

/** How long a provider may take to fetch the user's audio once its step has been submitted. */
const UPLOAD_URL_TTL_MS = 24 * 60 * 60_000;
const DEFAULT_REVIEW_MS = 30 * 60_000;

/** What a finished step hands the steps that read it. */
interface StepResult {
  clip?: ClipRef;
  text?: string;
  personaId?: string;
}

export async function pipelineRun(input: PipelineRunInput): Promise<PipelineRunResult> {
  const { plan, outDir } = input;
  const { workflowId, runId } = workflowInfo();
  const progress: PipelineProgress = { state: 'running', steps: plan.steps.map((s) => ({ stepId: s.name, kind: s.kind, state: 'pending' })), hints: { received: 0, ignored: 0 } };
  setHandler(progressQuery, () => progress);
  const showDetails = () => setCurrentDetails(describe(plan.name, progress, workflowId));
  const reporting = progressReporting(progress, showDetails);
  const { report } = reporting;
  const runner = createStepRunner({
    provider: plan.provider,
    patches: runPatches(STEP_RUNNER_PATCHES).applies,
    workflowId,
    callbacks: input.callbacks,
    onAmbiguous: input.onAmbiguousSubmit,
    deadlines: input.deadlines,
    ...reporting,
  });
  const review = new ClipReview(progress);
  upsertSearchAttributes([
    { key: MusicProvider, value: plan.provider },
    { key: MusicState, value: 'running' },
  ]);
  showDetails();

  const previous = await loadPreviousPipeline({ dir: outDir });
  const records: Record<string, PipelineStepRecord> = {};
  const results = new Map<string, StepResult>();
  const artifacts: ArtifactRecord[] = [];
  const failedSteps: PipelineRunResult['failedSteps'] = [];
  const reusedSteps: string[] = [];

  /**
   * Steps an earlier run recorded (with their files intact) that this run has not reached yet. Each
   * save keeps them: saved with this run's steps only, a rerun cut short dropped what the earlier
   * run had paid for, and the next attempt paid again. A later run still reuses one only when its
   * signature matches.
   */
  const carriedOver = (): string[] =>
    Object.keys(previous?.intact ?? {}).filter((name) => records[name] === undefined && previous?.manifest.steps[name] !== undefined && plan.steps.some((s) => s.name === name));
  const manifest = (): PipelineManifest => ({
    version: 1,
    name: plan.name,
    provider: plan.provider,
    workflowId,
    runId,
    steps: { ...Object.fromEntries(carriedOver().map((name) => [name, previous!.manifest.steps[name]!])), ...records },
    files: [...artifacts, ...carriedOver().flatMap((name) => previous!.intact[name] ?? [])].map((a) => manifestFile(outDir, a)),
  });
  // One write at a time, always of the latest state, so a crash leaves a record a rerun can use.
  let writing = Promise.resolve();
  const saveManifest = () => {
    writing = writing.then(() => writeTextArtifact({ dir: outDir, fileName: 'pipeline.json', text: `${JSON.stringify(manifest(), null, 2)}\n`, kind: 'manifest' }).then(() => undefined));
    return writing;
  };

  /** The step's kind, parameters and the ids of what it reads: a rerun reuses a record only when these match. */
  const signatureOf = (step: PlannedStep): string =>
    JSON.stringify({
      kind: step.kind,
      params: step.params,
      choose: step.choose,
      audio: step.inputs.audioSha256,
      reads: step.after.map((name) => {
        const r = results.get(name);
        return [name, r?.clip?.taskId, r?.clip?.clipId, r?.text, r?.personaId];
      }),
    });

  const resolveInputs = async (step: PlannedStep): Promise<ResolvedInputs> => {
    const { inputs } = step;
    const resolved: ResolvedInputs = {};
    if (inputs.clip) resolved.clip = results.get(inputs.clip)?.clip;
    if (inputs.clips) resolved.clips = inputs.clips.map((name) => results.get(name)!.clip!);
    if (inputs.lyricsFrom) resolved.lyrics = results.get(inputs.lyricsFrom)?.text;
    if (inputs.personaFrom) resolved.personaId = results.get(inputs.personaFrom)?.personaId;
    if (inputs.styleFrom) resolved.style = results.get(inputs.styleFrom)?.text;
    if (inputs.audioFile && inputs.audioSha256) {
      // The user's file leaves the machine only now, for the step that asked for it.
      resolved.audioUrl = (await publishUserAudio({ file: inputs.audioFile, sha256: inputs.audioSha256, ttlMs: UPLOAD_URL_TTL_MS })).url;
    }
    return resolved;
  };

  const runStep = async (step: PlannedStep): Promise<void> => {
    const signature = signatureOf(step);
    const earlier = previous?.manifest.steps[step.name];
    const intact = previous?.intact[step.name];
    if (earlier && intact && earlier.signature === signature && (!step.keep || intact.length > 0 || earlier.files.length === 0)) {
      results.set(step.name, { clip: earlier.clip, text: earlier.text, personaId: earlier.personaId });
      records[step.name] = earlier;
      artifacts.push(...intact);
      reusedSteps.push(step.name);
      report({ stepId: step.name, kind: step.kind, state: 'done', taskId: earlier.taskId, reused: true });
      return;
    }
    const inputs = await resolveInputs(step);
    const task = await runProviderStep(runner, step.name, stepRequest(step, inputs));
    report({ stepId: step.name, kind: step.kind, state: 'storing' });
    const ctx = { provider: plan.provider, outDir, step, task, source: inputs.clip ?? inputs.clips?.[0], sources: inputs.clips, lyrics: inputs.lyrics };
    let stored: StoredStep;
    if (STEP_RULES[step.kind].yieldsClips) {
      const choice = await review.choose(step.name, task.clips, step.choose, input.reviewTimeoutMs ?? DEFAULT_REVIEW_MS);
      if (!choice) throw new Error(`step ${step.name}: ${plan.provider} task ${task.taskId} succeeded without a finished clip`);
      if (choice.by !== 'rule') report({ stepId: step.name, kind: step.kind, providerStatus: `clip ${choice.clip.id} chosen by ${choice.by}` });
      stored = step.keep ? await storeClip(ctx, choice.clip) : unstoredClip(ctx, choice.clip);
    } else {
      stored = await storeOutputs(ctx);
    }
    results.set(step.name, { clip: stored.clip, text: stored.text, personaId: stored.personaId });
    artifacts.push(...stored.files);
    records[step.name] = {
      state: 'succeeded',
      signature,
      taskId: task.taskId,
      clip: stored.clip,
      text: stored.text,
      personaId: stored.personaId,
      files: stored.files.map((f) => manifestFile(outDir, f).file),
    };
    report({ stepId: step.name, kind: step.kind, state: 'done', taskId: task.taskId });
  };

  // The scheduler: start every step whose inputs are ready, up to the plan's concurrency; a step
  // whose input failed is skipped with the reason. Steps start in plan order when several are ready.
  const state = new Map<string, 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped'>(plan.steps.map((s) => [s.name, 'pending']));
  const running = new Map<string, Promise<void>>();
  for (;;) {
    for (const step of plan.steps) {
      if (state.get(step.name) !== 'pending') continue;
      const broken = step.after.find((name) => state.get(name) === 'failed' || state.get(name) === 'skipped');
      if (broken) {
        state.set(step.name, 'skipped');
        const error = `skipped: it reads step ${broken}, which ${state.get(broken) === 'failed' ? 'failed' : 'was skipped'}`;
        records[step.name] = { state: 'skipped', signature: '', files: [], error };
        report({ stepId: step.name, kind: step.kind, state: 'skipped', error });
        continue;
      }
      if (running.size >= plan.concurrency || !step.after.every((name) => state.get(name) === 'succeeded')) continue;
      state.set(step.name, 'running');
      running.set(
        step.name,
        runStep(step).then(
          () => {
            state.set(step.name, 'succeeded');
          },
          (err: unknown) => {
            const error = innermostMessage(err);
            state.set(step.name, 'failed');
            failedSteps.push({ step: step.name, error });
            records[step.name] = { state: 'failed', signature: '', files: [], error };
            report({ stepId: step.name, kind: step.kind, state: 'failed', error });
          },
        ),
      );
    }
    if (running.size === 0) break;
    const finished = await Promise.race([...running.entries()].map(([name, done]) => done.then(() => name)));
    running.delete(finished);
    await saveManifest();
  }

  await saveManifest();
  const succeeded = [...state.values()].filter((s) => s === 'succeeded').length;
  const status = failedSteps.length === 0 && succeeded === plan.steps.length ? 'succeeded' : succeeded === 0 ? 'failed' : 'partial';
  progress.state = status;
  upsertSearchAttributes([
    { key: MusicStep, value: 'done' },
    { key: MusicState, value: status },
  ]);
  showDetails();
  const final = plan.final !== undefined && state.get(plan.final) === 'succeeded' ? plan.final : undefined;
  const finalFile = final !== undefined ? records[final]?.files.find((f) => artifacts.some((a) => a.kind === 'audio' && manifestFile(outDir, a).file === f)) : undefined;
  const finalAudio = finalFile !== undefined ? artifacts.find((a) => a.kind === 'audio' && manifestFile(outDir, a).file === finalFile) : undefined;
  const finalLyrics = final !== undefined ? lyricsBehind(plan, final, (name) => results.get(name)?.text) : undefined;
  return {
    workflowId,
    runId,
    status,
    name: plan.name,
    provider: plan.provider,
    outDir,
    steps: progress.steps,
    failedSteps,
    reusedSteps,
    artifacts,
    ...(finalAudio ? { finalAudio } : {}),
    ...(finalLyrics ? { finalLyrics } : {}),
  };
}

/**
 * The lyrics a step's audio was sung with: its own (given, or read from a lyrics step), else those
 * of the nearest step it was made from. An instrumental step has none.
 */
function lyricsBehind(plan: PipelineRunInput['plan'], name: string, textOf: (step: string) => string | undefined): string | undefined {
  const seen = new Set<string>();
  const queue = [name];
  while (queue.length > 0) {
    const next = queue.shift();
    const current = plan.steps.find((s) => s.name === next);
    if (!current || seen.has(current.name)) continue;
    seen.add(current.name);
    if (current.params.instrumental) return undefined;
    const own = current.inputs.lyricsFrom ? textOf(current.inputs.lyricsFrom) : current.params.lyrics;
    if (own) return own.trim();
    queue.push(...[current.inputs.clip, ...(current.inputs.clips ?? [])].filter((n): n is string => n !== undefined));
  }
  return undefined;
}

/** Markdown shown as the run's current details in the Temporal UI: the graph's progress, step by step. */
function describe(name: string, progress: PipelineProgress, workflowId: string): string {
  const rows = progress.steps.map(
    (s) => `| ${s.stepId} | ${s.kind} | ${s.state}${s.reused ? ' (reused)' : ''} | ${s.providerStatus ?? ''} | ${s.taskId ?? ''} | ${s.error ?? ''} |`,
  );
  const choice = progress.state === 'awaiting-choice' ? `\n\nWaiting for a clip choice (update chooseClip): ${(progress.candidates ?? []).map((c) => c.id).join(', ')}` : '';
  const attention = (progress.needsAttention ?? []).map(
    (a) =>
      `\n\n**Step ${a.stepId} needs attention**: ${a.reason}\n\nThe provider may or may not have created (and charged for) the task. Resolve with \`npm run resolve -- ${workflowId} --step ${a.stepId} --task-id <id>\` (or \`--resubmit\`, \`--abandon\`), or the \`resolve\` update from this page.`,
  );
  return [`**pipeline ${name}: ${progress.state}**${choice}${attention.join('')}`, '', '| step | kind | state | provider status | task | error |', '|---|---|---|---|---|---|', ...rows].join('\n');
}
