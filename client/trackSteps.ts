// An album's rows say which step each running track is on (`song queued`, `wav running`), not only
// that the track runs. The album's own progress knows tracks, not their steps: each track is a child
// run with its own `progress` query. Asking every child on every tick would multiply the queries by
// the album's size, so only running tracks are asked, each at most once per `everyMs`, with a short
// deadline; a child that does not answer keeps its last known step and the album's row stays useful.
import type { WorkflowHandle } from '@temporalio/client';
import type { AlbumProgress } from '../contracts/albumMessages';
import { progressQuery, type PipelineProgress } from '../contracts/pipelineMessages';
import { stepWord } from './progressLines';

/** The album's answer with, per running track number, the step its own run is on. */
export type AlbumLiveProgress = AlbumProgress & { trackSteps?: Record<number, string> };

/** What a track's run is doing, in the rows' words: the step still open (the latest started), or the clip it waits for. */
export function currentStep(progress: PipelineProgress): string | undefined {
  if (progress.state === 'awaiting-choice') return `${progress.choiceStepId ?? 'song'} choosing a clip`;
  const open = progress.steps.filter((s) => s.finishedAt === undefined && s.state !== 'done' && s.state !== 'skipped' && s.state !== 'failed');
  const step = open.at(-1);
  return step ? `${step.stepId} ${stepWord(step)}` : undefined;
}

const QUERY_DEADLINE_MS = 2_000;

/**
 * Returns what watchProgress calls with each album answer: the same answer with `trackSteps` for
 * its running tracks. Queries run side by side; the album's own query is not asked again until
 * they have settled (watchProgress keeps one question in flight).
 */
export function trackStepsOf(album: WorkflowHandle, everyMs = 3_000, now: () => number = Date.now): (progress: AlbumProgress) => Promise<AlbumLiveProgress> {
  const known = new Map<number, { step?: string; askedAt: number }>();
  return async (progress) => {
    const running = progress.tracks.filter((t) => t.state === 'running');
    await Promise.all(
      running.map(async (t) => {
        const last = known.get(t.number);
        if (last && now() - last.askedAt < everyMs) return;
        known.set(t.number, { step: last?.step, askedAt: now() });
        const child = album.client.getHandle(t.workflowId);
        const answer = await album.client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => child.query(progressQuery)).catch(() => undefined);
        if (answer) known.set(t.number, { step: currentStep(answer), askedAt: now() });
      }),
    );
    const trackSteps: Record<number, string> = {};
    for (const t of running) {
      const step = known.get(t.number)?.step;
      if (step) trackSteps[t.number] = step;
    }
    return { ...progress, trackSteps };
  };
}
