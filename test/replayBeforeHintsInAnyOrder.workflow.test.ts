// Songs recorded before their steps took hints in any order (patch hints-in-any-order, see
// steps/stepRunner.ts) still replay: each fixture is a history recorded by the code before that
// patch, on the time-skipping server, with its output folder rewritten to /songs, source paths to
// /project and worker identities blanked.
// - hints: "complete" and a stale "first" reached the run in one workflow task; the old wait let the
//   newest stage decide, scheduled nothing, and looked only when its first-look timer fired. The
//   current wait looks at once, the same command a task earlier, which this history happens to
//   tolerate; it shows that the patch, asked for in the run's first task, replays.
// - late hint: the fallback poll looked and gave up a little before the deadline (its next look
//   would have come after it); a finishing hint then cancelled the timer waiting for the deadline
//   and started a confirming poll. The current wait keeps that timer running, so without the patch
//   this history fails to replay at its TimerCanceled event.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../workers/worker';

let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
}, 60_000);

describe('songs recorded before hints-in-any-order', () => {
  it.each([
    ['song-hints.before-any-order.json', 'hints-before-any-order', 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED'],
    ['song-late-hint.before-any-order.json', 'late-hint-before-any-order', 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED'],
  ])('%s replays with the current code', async (file, workflowId, lastEvent) => {
    const json = JSON.parse(await readFile(path.join(__dirname, 'fixtures', file), 'utf8'));
    expect(json.events.at(-1).eventType).toBe(lastEvent);
    const history = temporal.api.history.v1.History.fromObject(json);
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId);
  }, 60_000);
});
