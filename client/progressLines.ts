// Progress answers as a person reads them: each step of a song or pipeline (each track of an album,
// each album of a batch) as a row with a state word and its elapsed time, and, as lines that stay,
// what waits for a person (a clip choice and its deadline, a step that needs an operator) and how a
// choice ended. The rows go to a RowDisplay (client/terminalRows.ts), live or plain.
import type { AlbumProgress, TrackProgress } from '../contracts/albumMessages';
import type { AlbumTrackResult } from '../contracts/albumPipeline';
import type { BatchProgress } from '../contracts/batchMessages';
import type { BatchAlbumSummary } from '../contracts/batchPipeline';
import type { PipelineProgress, StepProgress } from '../contracts/pipelineMessages';
import { everyStepReused } from '../steps/paidCredits';
import { clockTime } from './terminal';
import type { Row, RowDisplay, StateWord } from './terminalRows';

/** A step's state in the words every command uses. */
export function stepWord(step: Pick<StepProgress, 'state' | 'reused'>): StateWord {
  switch (step.state) {
    case 'pending':
    case 'waiting-for-slot':
      return 'waiting';
    case 'submitting':
      return 'submitting';
    case 'needs-attention':
      return 'needs attention';
    case 'queued':
      return 'queued';
    case 'running':
    case 'partial':
      return 'running';
    // The provider has finished; the files are being fetched and checked.
    case 'succeeded':
    case 'storing':
      return 'saving';
    case 'done':
      return step.reused ? 'reused' : 'done';
    case 'failed':
      return 'failed';
    case 'skipped':
      return 'skipped';
  }
}

export function stepRow(step: StepProgress): Row {
  const detail = step.state === 'waiting-for-slot' ? 'for a provider slot' : step.state === 'failed' || step.state === 'skipped' || step.state === 'needs-attention' ? step.error : undefined;
  return { key: step.stepId, label: step.stepId, state: stepWord(step), detail, startedAt: step.startedAt, finishedAt: step.finishedAt };
}

/** `2:31` */
function minutesSeconds(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A candidate as a person can tell it from its sibling (both clips of a generation share a title). */
export function candidateLine(number: number, clip: NonNullable<PipelineProgress['candidates']>[number]): string {
  const duration = clip.durationSeconds ? minutesSeconds(clip.durationSeconds) : '?:??';
  return `clip ${number}  ${duration}  id ${clip.id}${clip.title ? `  "${clip.title}"` : ''}`;
}

export interface PipelineView {
  show(progress: PipelineProgress): void;
  /** The run's final steps (its result's): every finished step ends as finished, never as the last answer seen. */
  finish(steps: readonly StepProgress[]): void;
}

/** The view of a song or pipeline run's progress. */
export function pipelineView(workflowId: string, display: RowDisplay): PipelineView {
  const told = new Set<string>();
  const once = (key: string, lines: () => string[]) => {
    if (told.has(key)) return;
    told.add(key);
    for (const line of lines()) display.note(line);
  };
  return {
    show(p) {
      for (const a of p.needsAttention ?? []) {
        once(`attention ${a.stepId}`, () => [
          `step ${a.stepId} NEEDS ATTENTION: ${a.reason}`,
          `  the run waits; resolve it with: npm run resolve -- ${workflowId} --step ${a.stepId} --task-id <id> | --resubmit | --abandon`,
        ]);
      }
      if (p.state === 'awaiting-choice') {
        const candidates = p.candidates ?? [];
        once(`choice ${candidates.map((c) => c.id).join(',')}`, () => [
          `choose a clip${p.choiceDeadline ? ` by ${clockTime(p.choiceDeadline)}` : ''}: npm run choose-clip -- ${workflowId} <clip id>`,
          ...candidates.map((c, i) => `  ${candidateLine(i + 1, c)}`),
          ...(p.choiceDeadline ? [`  no choice by ${clockTime(p.choiceDeadline)}: the run takes clip 1 (first completed)`] : []),
        ]);
      }
      const c = p.choice;
      if (c) {
        once(`chosen ${c.stepId} ${c.clipId}`, () => [
          c.by === 'person'
            ? `clip ${c.clipNumber} chosen (id ${c.clipId})${c.stepId === 'song' ? '' : ` for step ${c.stepId}`}`
            : `no choice by ${clockTime(c.deadline)}, took clip ${c.clipNumber} (${c.rule ?? 'the policy'}; id ${c.clipId})`,
        ]);
      }
      // The step whose clips wait for a person says so, rather than "saving" for as long as the review lasts.
      display.update(p.steps.map((s) => (p.state === 'awaiting-choice' && s.stepId === p.choiceStepId ? { ...stepRow(s), state: 'choosing' as const, detail: 'a clip' } : stepRow(s))));
    },
    finish(steps) {
      display.finish(steps.map(stepRow));
    },
  };
}

function trackWord(state: TrackProgress['state']): StateWord {
  switch (state) {
    case 'queued':
      return 'waiting';
    case 'lyrics':
    case 'running':
      return 'running';
    case 'succeeded':
      return 'done';
    case 'partial':
      return 'partial';
    case 'failed':
      return 'failed';
    case 'skipped':
      return 'skipped';
  }
}

function trackRow(t: Pick<TrackProgress, 'number' | 'title' | 'state' | 'attempts' | 'error'>, word = trackWord(t.state), step?: string): Row {
  const notes = [t.state === 'lyrics' ? 'lyrics' : step, t.attempts > 1 ? `attempt ${t.attempts}` : undefined, t.error].filter(Boolean);
  return { key: String(t.number), label: `${String(t.number).padStart(2)}. ${t.title}`, state: word, detail: notes.join(', ') || undefined };
}

/** A finished track whose every step was reused paid nothing: say so. */
function finishedTrackRow(t: AlbumTrackResult): Row {
  const allReused = t.state === 'succeeded' && everyStepReused(t.result?.steps ?? t.run?.steps ?? []);
  return trackRow({ ...t, attempts: t.attempts }, allReused ? 'reused' : trackWord(t.state));
}

export interface AlbumView {
  /** `trackSteps`: the step each running track's own run is on (client/trackSteps.ts), shown after its state. */
  show(progress: AlbumProgress & { trackSteps?: Record<number, string> }): void;
  finish(tracks: readonly AlbumTrackResult[]): void;
}

export function albumView(workflowId: string, display: RowDisplay): AlbumView {
  const told = new Set<string>();
  return {
    show(p) {
      for (const a of p.needsAttention ?? []) {
        if (told.has(a.stepId)) continue;
        told.add(a.stepId);
        display.note(`step ${a.stepId} NEEDS ATTENTION: ${a.reason}`);
        display.note(`  the album waits; resolve it with: npm run resolve -- ${workflowId} --step ${a.stepId} --task-id <id> | --resubmit | --abandon`);
      }
      // The album says which finished tracks were reused, so a plain log never reads `done` and then `reused`.
      display.update(p.tracks.map((t) => trackRow(t, t.state === 'succeeded' && t.reused ? 'reused' : trackWord(t.state), t.state === 'running' ? p.trackSteps?.[t.number] : undefined)));
    },
    finish(tracks) {
      display.finish(tracks.map(finishedTrackRow));
    },
  };
}

export interface BatchView {
  show(progress: BatchProgress): void;
  finish(done: readonly BatchAlbumSummary[]): void;
}

function summaryRow(d: BatchAlbumSummary): Row {
  const word: StateWord = d.status === 'succeeded' ? 'done' : d.status;
  return { key: d.albumId, label: d.albumId, state: word, detail: d.error };
}

/** One row per album of the batch, in the order the batch was given. */
export function batchView(albumIds: readonly string[], display: RowDisplay): BatchView {
  const rows = (done: readonly BatchAlbumSummary[], running: readonly string[]): Row[] =>
    albumIds.map((id) => {
      const finished = done.find((d) => d.albumId === id);
      if (finished) return summaryRow(finished);
      return { key: id, label: id, state: running.includes(id) ? 'running' : 'waiting' };
    });
  return {
    show(p) {
      display.update(rows(p.done, p.running));
    },
    finish(done) {
      display.finish(rows(done, []));
    },
  };
}
