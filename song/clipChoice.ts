// Which of a generation's clips the later steps work on. The policy picks the first clip that
// completed; with review on, the run first waits (for a bounded time) for a person to choose through
// the chooseClip update, from a script or the Temporal UI.
import { condition, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Clip } from '../providers/model';
import { chooseClipUpdate, type PipelineProgress } from '../contracts/pipelineMessages';
import { MusicState } from '../contracts/searchAttributes';
import type { ReviewOptions } from '../contracts/songPipeline';

function usable(clips: Clip[]): Clip[] {
  return clips.filter((c) => c.audioUrl);
}

/** The default policy: the first clip the provider finished (it lists them in completion order). */
export function firstCompleted(clips: Clip[]): Clip | undefined {
  return usable(clips)[0];
}

export async function chooseClip(clips: Clip[], progress: PipelineProgress, review: ReviewOptions | undefined): Promise<Clip | undefined> {
  const candidates = usable(clips);
  let chosen: Clip | undefined;
  setHandler(
    chooseClipUpdate,
    (clipId: string) => {
      chosen = candidates.find((c) => c.id === clipId);
      return chosen!.id;
    },
    {
      validator: (clipId: string) => {
        if (progress.state !== 'awaiting-choice') throw new Error('this run is not waiting for a clip choice');
        if (!candidates.some((c) => c.id === clipId)) throw new Error(`no clip ${clipId}; candidates: ${candidates.map((c) => c.id).join(', ')}`);
      },
    },
  );
  if (review && candidates.length > 1) {
    progress.state = 'awaiting-choice';
    progress.candidates = candidates.map(({ id, title, durationSeconds, audioUrl }) => ({ id, title, durationSeconds, audioUrl }));
    const deadline = Date.now() + review.timeoutMs;
    progress.choiceDeadline = deadline;
    progress.choiceStepId = 'song';
    upsertSearchAttributes([{ key: MusicState, value: 'awaiting-choice' }]);
    await condition(() => chosen !== undefined, review.timeoutMs);
    const taken = chosen ?? firstCompleted(clips);
    if (taken) {
      progress.choice = { stepId: 'song', clipId: taken.id, clipNumber: candidates.indexOf(taken) + 1, by: chosen ? 'person' : 'policy', rule: chosen ? undefined : 'first completed', deadline };
    }
    progress.choiceDeadline = undefined;
    progress.choiceStepId = undefined;
    progress.state = 'running';
    upsertSearchAttributes([{ key: MusicState, value: 'running' }]);
  }
  const clip = chosen ?? firstCompleted(clips);
  progress.chosenClipId = clip?.id;
  return clip;
}
