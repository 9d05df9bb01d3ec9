// Under load a local activity can finish just as its workflow task completes: its marker is recorded
// with that task, but the workflow sees the result only in the next one. On replay the SDK hands the
// result back before it learns of the next task's markers, so a patch asked for right after a local
// activity is answered "not patched" and the run fails forever on its own marker (TMPRL1100). That
// stalled songs in the 51-song chaos run: the provider slot's patch followed the previous-track read,
// the tagging patch followed the manifest write. The race cannot be staged on demand, so this test
// checks what rules it out: every patch marker of a song is recorded before its first local activity,
// and the history replays.
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../workers/worker';
import { CURRENT_RUN_PATCHES } from '../steps/runPatches';
import { createWorkflowHarness, finishTasksAsTheyCome, type WorkflowHarness } from './helpers/workflowHarness';

let harness: WorkflowHarness;

beforeAll(async () => {
  harness = await createWorkflowHarness();
});

afterAll(async () => {
  await harness?.teardown();
});

describe('a song with a limited provider, lyrics and tagging', () => {
  it('records its patch markers before any local activity, and replays', async () => {
    harness.slotLimit = 1;
    const stopFinishing = finishTasksAsTheyCome(harness.provider);
    try {
      const workflowId = 'patches-before-local-activities';
      await harness.withWorker(async () => {
        const handle = await harness.start(harness.input({ steps: ['lyrics', 'song'], request: { prompt: 'a song about replay', instrumental: false, style: 'test' } }), workflowId);
        expect((await handle.result()).status).toBe('succeeded');
      });

      const history = await harness.env.client.workflow.getHandle(workflowId).fetchHistory();
      const markers = (history.events ?? []).flatMap((e) => (e.markerRecordedEventAttributes ? [e.markerRecordedEventAttributes.markerName] : []));
      const firstLocal = markers.indexOf('core_local_activity');
      expect(firstLocal).toBeGreaterThan(0);
      // One marker stands for every patch (steps/runPatches.ts: the fewer hops, the tagging, the lyrics
      // written first, the steps' fewer events, hints in any order, the provider slot), asked for
      // before the first local activity.
      expect(markers.slice(0, firstLocal)).toEqual(['core_patch']);
      const patchIds = (history.events ?? []).flatMap((e) => {
        const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
        return data ? [JSON.parse(Buffer.from(data).toString('utf8')).id] : [];
      });
      expect(patchIds).toEqual([CURRENT_RUN_PATCHES]);
      expect(markers.slice(firstLocal)).not.toContain('core_patch');

      const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
      await Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId);
    } finally {
      stopFinishing();
      harness.slotLimit = undefined;
    }
  }, 180_000);
});
