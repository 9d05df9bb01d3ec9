// Songs recorded before their steps waited with fewer history events (patch steps-fewer-events)
// still replay: each fixture is a history recorded by the code before that patch, on the
// time-skipping server, with its output folder rewritten to /songs and worker identities blanked.
// Together they cover every way the old wait ended: a confirmed callback hint (poll and deadline
// timer cancelled), a poll that saw the task finish (timer cancelled) and the deadline (poll cancelled).
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

async function recorded(file: string) {
  const json = JSON.parse(await readFile(path.join(__dirname, 'fixtures', file), 'utf8'));
  return temporal.api.history.v1.History.fromObject(json);
}

describe('songs recorded before steps-fewer-events', () => {
  it.each([
    ['song-callbacks.before-fewer-events.json', 'callbacks-before-fewer-events'],
    ['song-polling.before-fewer-events.json', 'polling-before-fewer-events'],
    ['song-deadline.before-fewer-events.json', 'deadline-before-fewer-events'],
  ])('%s replays with the current code', async (file, workflowId) => {
    const history = await recorded(file);
    expect(history.events?.length).toBeGreaterThan(10);
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, workflowId);
  }, 60_000);
});
