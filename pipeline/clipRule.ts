// Which of a step's clips the steps after it work on, by the definition's rule: the first clip the
// provider finished, the longest, a fixed position, or (review) the one a person picks through the
// chooseClip update within a bounded time, after which the first is taken and the choice says so.
import { condition, setHandler } from '@temporalio/workflow';
import type { ClipChoiceRule } from '../contracts/pipelinePlan';
import { chooseClipUpdate, type PipelineProgress } from '../contracts/pipelineMessages';
import type { Clip } from '../providers/model';

export interface ClipChoice {
  clip: Clip;
  /** How the clip was picked, for the progress line. */
  by: 'rule' | 'person' | 'default after the review time ran out';
}

/** Clips that can be worked on: finished audio, not a preview. */
function usable(clips: readonly Clip[]): Clip[] {
  return clips.filter((c) => c.audioUrl);
}

export function clipByRule(clips: readonly Clip[], rule: Exclude<ClipChoiceRule, 'review'>): Clip | undefined {
  const candidates = usable(clips);
  if (rule === 'first') return candidates[0];
  if (rule === 'longest') return [...candidates].sort((a, b) => (b.durationSeconds ?? 0) - (a.durationSeconds ?? 0))[0];
  return candidates[rule.index - 1] ?? candidates[0];
}

/** One reviewer at a time: steps that wait for a person take turns on the one chooseClip update. */
export class ClipReview {
  private waiting: { stepId: string; candidates: Clip[]; chosen?: Clip } | undefined;
  private queue = Promise.resolve();

  constructor(private readonly progress: PipelineProgress) {
    setHandler(
      chooseClipUpdate,
      (clipId: string) => {
        this.waiting!.chosen = this.waiting!.candidates.find((c) => c.id === clipId);
        return clipId;
      },
      {
        validator: (clipId: string) => {
          if (!this.waiting) throw new Error('this run is not waiting for a clip choice');
          if (!this.waiting.candidates.some((c) => c.id === clipId)) {
            throw new Error(`no clip ${clipId} in step ${this.waiting.stepId}; candidates: ${this.waiting.candidates.map((c) => c.id).join(', ')}`);
          }
        },
      },
    );
  }

  choose(stepId: string, clips: readonly Clip[], rule: ClipChoiceRule, timeoutMs: number): Promise<ClipChoice | undefined> {
    if (rule !== 'review') {
      const clip = clipByRule(clips, rule);
      return Promise.resolve(clip ? { clip, by: 'rule' } : undefined);
    }
    const turn = this.queue.then(() => this.review(stepId, usable(clips), timeoutMs));
    this.queue = turn.then(() => undefined);
    return turn;
  }

  private async review(stepId: string, candidates: Clip[], timeoutMs: number): Promise<ClipChoice | undefined> {
    if (candidates.length <= 1) return candidates[0] ? { clip: candidates[0], by: 'rule' } : undefined;
    this.waiting = { stepId, candidates };
    this.progress.state = 'awaiting-choice';
    this.progress.candidates = candidates.map(({ id, title, durationSeconds, audioUrl }) => ({ id, title, durationSeconds, audioUrl }));
    const deadline = Date.now() + timeoutMs;
    this.progress.choiceDeadline = deadline;
    this.progress.choiceStepId = stepId;
    const chosenInTime = await condition(() => this.waiting?.chosen !== undefined, timeoutMs);
    const chosen = this.waiting.chosen;
    this.waiting = undefined;
    this.progress.state = 'running';
    this.progress.candidates = undefined;
    this.progress.choiceDeadline = undefined;
    this.progress.choiceStepId = undefined;
    const byPerson = chosenInTime && chosen !== undefined;
    const clip = byPerson ? chosen : candidates[0]!;
    this.progress.choice = { stepId, clipId: clip.id, clipNumber: candidates.indexOf(clip) + 1, by: byPerson ? 'person' : 'policy', rule: byPerson ? undefined : 'first completed', deadline };
    return byPerson ? { clip, by: 'person' } : { clip, by: 'default after the review time ran out' };
  }
}
