// A song recorded under the first roll-up marker (`run-patches-2026-12`, steps/runPatches.ts) still
// replays now that new runs record `run-patches-2026-12b`: the run asks for the newer roll-up, does
// not find it, finds its own, and takes the patches that one stood for, without song-quick-hop (its
// lyrics released their slot and the song asked the semaphore again; its lyrics files were written
// before the song's submit). Recorded by the code before song-quick-hop on the time-skipping server,
// lyrics and song at a provider limit of 1, with its output folder rewritten to /songs and the
// worker identity blanked.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../workers/worker';

describe('a song recorded under run-patches-2026-12', () => {
  it('replays with the current code', async () => {
    const json = JSON.parse(await readFile(path.join(__dirname, 'fixtures', 'song-lyrics.roll-up-2026-12.json'), 'utf8'));
    expect(json.events.at(-1).eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
    // What the run did before the quick hop: a release signal for the lyrics, no pass.
    const signals = json.events.flatMap((e: { signalExternalWorkflowExecutionInitiatedEventAttributes?: { signalName: string } }) =>
      e.signalExternalWorkflowExecutionInitiatedEventAttributes ? [e.signalExternalWorkflowExecutionInitiatedEventAttributes.signalName] : [],
    );
    expect(signals).toContain('releaseSlot');
    expect(signals).not.toContain('passSlot');
    const history = temporal.api.history.v1.History.fromObject(json);
    const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, 'song-with-lyrics-roll-up-2026-12');
  }, 120_000);
});
