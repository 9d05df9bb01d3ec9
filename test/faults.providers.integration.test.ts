// Provider faults on the real stack (dev server, worker, callback endpoint, simulator over loopback),
// each proving what DESIGN.md promises for it: error answers are retried by class (throttled and
// unavailable retried and paid once; rejected, auth and billing never retried and never paid);
// failing queries only delay polling; a submit whose answer never comes (hung, cut) waits for an
// operator instead of paying twice, unless the run's policy says resubmit; and webhooks that come
// twice, late, out of order or not at all change nothing but timing.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { paidMoreThanOnce, paidStepOf } from '../chaos/paidSubmits';
import { loadConfig } from '../runtime/config';
import { projectRoot } from '../runtime/projectPaths';
import { startStack, type RunningStack } from '../stack/stack';
import type { ProviderName } from '../providers/model';
import type { FaultOptions, FaultRule, LedgerEntry } from '../simulator';
import { resolveStep } from '../client/resolveStep';
import { progressQuery, type PipelineProgress } from '../contracts/pipelineMessages';
import { innermostMessage } from '../steps/failureMessage';
import { MusicProvider, MusicState } from '../contracts/searchAttributes';
import type { SongPipelineInput, SongPipelineResult } from '../contracts/songPipeline';
import type { TrackManifest } from '../contracts/trackManifest';
import { WORKFLOWS_PATH } from '../workers/worker';

const SECRET = 'provider-faults-secret-provider-faults';
/** A hung submit counts as unknown after this long; short, so the hang cases take seconds. */
const PROVIDER_TIMEOUT_MS = 1_500;

let stack: RunningStack;
let scratch: string;
/** The stack's log lines (simulator faults and webhooks among them), shown when a test fails. */
let stackLog: string[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'provider-faults-'));
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH });
  stack = await startStack({
    // No API keys: every provider is played by the simulator.
    config: loadConfig({ CALLBACK_SECRET: SECRET, PROVIDER_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS) }),
    log: (line) => stackLog.push(line),
    devServer: { port: 0, uiPort: 0, ui: false, dbFile: path.join(scratch, 'temporal.db') },
    simulator: { port: 0, stageDelaysMs: { text: 300, first: 600, complete: 900 }, clipSeconds: 4, seed: 'provider-faults', stateDir: path.join(scratch, 'simulator') },
    callbackPort: 0,
    workflowBundle,
    pollScale: 0.2,
  });
});

afterEach((context) => {
  if (context.task.result?.state === 'fail') console.log(`stack log of "${context.task.name}":\n${stackLog.join('\n')}`);
  stackLog = [];
});

afterAll(async () => {
  await stack?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

// ---- the simulator's control routes, as an operator or a chaos script would use them ----

interface FaultReport {
  counts: Record<string, number>;
  pending: Required<FaultRule>[];
  injected: { fault: string; target: string }[];
}

async function simulatorJson<T>(route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${stack.simulatorUrl}${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

const setFaults = (body: { rules?: FaultRule[]; callbacks?: FaultOptions['callbacks'] | null }) => simulatorJson('/_sim/faults', body);
const faultReport = () => simulatorJson<FaultReport>('/_sim/faults');
const ledger = async () => (await simulatorJson<{ entries: LedgerEntry[] }>('/_sim/ledger')).entries;

/** Paid submits the provider recorded for one step of one run (the callback token names both). */
function paidFor(entries: LedgerEntry[], workflowId: string, stepId: string): LedgerEntry[] {
  return entries.filter((entry) => paidStepOf(entry, SECRET) === `${workflowId}/${stepId}`);
}

// ---- runs ----

interface SongOptions {
  provider?: ProviderName;
  steps?: SongPipelineInput['steps'];
  onAmbiguousSubmit?: SongPipelineInput['onAmbiguousSubmit'];
}

async function startSong(name: string, options: SongOptions = {}): Promise<WorkflowHandle> {
  const provider = options.provider ?? 'anyint';
  const input: SongPipelineInput = {
    provider,
    request: { prompt: `a song about ${name.replace(/-/g, ' ')}`, instrumental: false },
    steps: options.steps ?? ['lyrics', 'song'],
    outDir: path.join(scratch, 'out', name),
    callbacks: true,
    onAmbiguousSubmit: options.onAmbiguousSubmit,
  };
  return stack.client.workflow.start('songPipeline', {
    taskQueue: stack.taskQueue,
    workflowId: `pf-${name}`,
    args: [input],
    typedSearchAttributes: [{ key: MusicProvider, value: provider }],
  });
}

/** The run's failure as a user sees it (the innermost message), or a test failure if it succeeded. */
async function failureOf(handle: WorkflowHandle): Promise<string> {
  const outcome = await handle.result().then(
    () => undefined,
    (error: unknown) => error,
  );
  if (outcome === undefined) throw new Error(`${handle.workflowId} succeeded; it should have failed`);
  return innermostMessage(outcome);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** Resolves once the step waits for an operator, with the reason it gives. */
function needsAttention(handle: WorkflowHandle, stepId: string): Promise<string> {
  return waitFor(`${handle.workflowId}/${stepId} to need attention`, async () => {
    const progress: PipelineProgress = await handle.query(progressQuery);
    return progress.needsAttention?.find((a) => a.stepId === stepId)?.reason;
  });
}

async function musicState(handle: WorkflowHandle): Promise<string | undefined> {
  return (await handle.describe()).typedSearchAttributes.get(MusicState);
}

/**
 * The finished song as a user checks it: succeeded, the expected files in the folder, each with the
 * size and sha256 track.json lists, and every step's task the one (and only) submit the provider
 * was paid for.
 */
async function expectFinishedSong(handle: WorkflowHandle, expectedFiles: string[]): Promise<TrackManifest> {
  const result: SongPipelineResult = await handle.result();
  const paid = await ledger();
  expect(result.status).toBe('succeeded');
  const manifest = JSON.parse(await readFile(path.join(result.outDir, 'track.json'), 'utf8')) as TrackManifest;
  expect(manifest.files.map((f) => f.file).sort()).toEqual([...expectedFiles].sort());
  for (const file of manifest.files) {
    const bytes = await readFile(path.join(result.outDir, file.file));
    expect({ file: file.file, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }).toEqual({ file: file.file, bytes: file.bytes, sha256: file.sha256 });
  }
  for (const [step, record] of Object.entries(manifest.steps)) {
    expect({ run: handle.workflowId, step, taskIds: paidFor(paid, handle.workflowId, step).map((e) => e.taskId) }).toEqual({ run: handle.workflowId, step, taskIds: [record.taskId] });
  }
  return manifest;
}

const SONG_FILES = ['lyrics.txt', 'song.mp3', 'cover.png'];

describe('provider faults on the real stack', () => {
  it('error answers on submit: throttled and unavailable are retried and paid once; rejected, auth and billing fail the run at once, unpaid', async () => {
    // One run per dialect, so each scripted fault can only hit the run it is meant for.
    const rules: FaultRule[] = [
      // Retryable: two refusals each, then the submit goes through.
      { fault: 'throttled', match: 'POST /suno/generate-lyrics', times: 2 }, // anyint, lyrics step
      { fault: 'unavailable', match: 'POST /suno/submit/music', times: 2 }, // newapi, song step
      // Never retried: one refusal; a retry would reach the route and be paid for (ledger).
      { fault: 'rejected', match: 'POST /suno/lyrics' }, // acedata, lyrics step
      { fault: 'auth', match: 'POST /api/cqt/generator/suno' }, // cqt, lyrics step
      { fault: 'billing', match: 'POST /api/submit' }, // aimusicapi, song step (it writes no lyrics)
    ];
    await setFaults({ rules });
    const ledgerBefore = await ledger();
    const injectedBefore = (await faultReport()).injected.length;

    const throttled = await startSong('throttled-submit', { provider: 'anyint' });
    const unavailable = await startSong('unavailable-submit', { provider: 'newapi' });
    const refused = [
      { fault: 'rejected', provider: 'acedata', handle: await startSong('rejected-submit', { provider: 'acedata' }), route: 'POST /suno/lyrics', step: 'lyrics', meaning: 'fix the input', message: 'request refused (injected fault)' },
      { fault: 'auth', provider: 'cqt', handle: await startSong('auth-submit', { provider: 'cqt' }), route: 'POST /api/cqt/generator/suno', step: 'lyrics', meaning: 'check the API key', message: 'invalid api key (injected fault)' },
      { fault: 'billing', provider: 'aimusicapi', handle: await startSong('billing-submit', { provider: 'aimusicapi', steps: ['song'] }), route: 'POST /api/submit', step: 'song', meaning: 'not enough credits', message: 'insufficient credits (injected fault)' },
    ];

    for (const run of refused) {
      const message = await failureOf(run.handle);
      // The user is told which provider refused, the class, what it means and the provider's own words.
      expect(message).toContain(`${run.provider} error`);
      expect(message).toContain(`(${run.fault}: `);
      expect(message).toContain(run.meaning);
      expect(message).toContain(run.message);
      const progress = await run.handle.query(progressQuery);
      expect(progress.state).toBe('failed');
      expect(progress.steps.find((s) => s.stepId === run.step)).toMatchObject({ state: 'failed', error: message });
      expect(await musicState(run.handle)).toBe('failed');
    }

    await expectFinishedSong(throttled, SONG_FILES);
    await expectFinishedSong(unavailable, SONG_FILES);

    const report = await faultReport();
    const injected = report.injected.slice(injectedBefore);
    const hits = (route: string) => injected.filter((i) => i.target === route).map((i) => i.fault);
    expect(hits('POST /suno/generate-lyrics')).toEqual(['throttled', 'throttled']);
    expect(hits('POST /suno/submit/music')).toEqual(['unavailable', 'unavailable']);
    expect(report.pending).toEqual([]);
    const paidNow = await ledger();
    const newEntries = paidNow.slice(ledgerBefore.length);
    for (const run of refused) {
      // Refused once, and no request on that route since: not retried, so nothing was paid.
      expect({ route: run.route, faults: hits(run.route) }).toEqual({ route: run.route, faults: [run.fault] });
      expect(newEntries.filter((e) => e.route === run.route)).toEqual([]);
    }
  });

  it('failing queries (throttled, unavailable, cut) only delay polling: the song completes, each step paid once', async () => {
    const injectedBefore = (await faultReport()).injected.length;
    await setFaults({
      rules: [
        // The lyrics step's queries: one of each failure.
        { fault: 'throttled', on: 'query', match: 'GET /suno/query/lyrics' },
        { fault: 'unavailable', on: 'query', match: 'GET /suno/query/lyrics' },
        { fault: 'cut', on: 'query', match: 'GET /suno/query/lyrics' },
        // The song step's queries: the provider throttles them for several seconds, longer than a
        // one-off query would retry (5 attempts, 1 s apart with Retry-After: 1).
        { fault: 'throttled', on: 'query', match: 'GET /suno/query/task', times: 12 },
      ],
    });
    const run = await startSong('failing-queries');
    await expectFinishedSong(run, SONG_FILES);
    const report = await faultReport();
    expect(report.pending).toEqual([]);
    const injected = report.injected.slice(injectedBefore).map((i) => `${i.fault} ${i.target}`);
    expect(injected.filter((i) => i.endsWith('/lyrics'))).toEqual(['throttled', 'unavailable', 'cut'].map((f) => `${f} GET /suno/query/lyrics`));
    expect(injected.filter((i) => i.endsWith('/task'))).toEqual(Array(12).fill('throttled GET /suno/query/task'));
    // The look a finishing webhook asks for is the poll itself, looking at once: throttled past
    // the few retries a one-off query would have had, it carried on instead of giving up, and no
    // look at a task failed for good.
    const history = await run.fetchHistory();
    const events = history.events ?? [];
    const scheduled = new Map(events.map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name]));
    const failedLooks = events.filter((e) => {
      const failed = e.activityTaskFailedEventAttributes;
      return failed && ['queryProviderTask', 'awaitProviderTask'].includes(scheduled.get(String(failed.scheduledEventId)) ?? '');
    });
    expect(failedLooks).toEqual([]);
  });

  it('a submit whose answer never comes (hung, cut) waits for an operator, who resolves it with the provider\'s task: paid once', async () => {
    const injectedBefore = (await faultReport()).injected.length;
    await setFaults({
      rules: [
        { fault: 'hang', match: 'POST /suno/generate-lyrics' }, // anyint, lyrics step
        { fault: 'cut', match: 'POST /suno/audios' }, // acedata, song step
      ],
    });
    const hung = await startSong('hung-submit', { provider: 'anyint' });
    // acedata writes lyrics synchronously and without a webhook, so its lyrics submit names no run: song only.
    const cut = await startSong('cut-submit', { provider: 'acedata', steps: ['song'] });

    const settle = async (handle: WorkflowHandle, stepId: string, reasonPattern: RegExp, viaScript: boolean) => {
      const reason = await needsAttention(handle, stepId);
      expect(reason).toMatch(/ambiguous/);
      expect(reason).toMatch(reasonPattern);
      expect(await musicState(handle)).toBe('needs-attention');
      // The provider did accept (and charge for) the task; the run must not submit it again on its
      // own while it waits, however long that is (longer than the submit's retry interval here).
      const [paid] = paidFor(await ledger(), handle.workflowId, stepId);
      expect(paid).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(paidFor(await ledger(), handle.workflowId, stepId)).toHaveLength(1);
      expect((await handle.query(progressQuery)).needsAttention?.map((a) => a.stepId)).toEqual([stepId]);

      // The operator finds the task in the provider's records and gives its id.
      if (viaScript) {
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [path.join(projectRoot(), 'node_modules/tsx/dist/cli.mjs'), path.join(projectRoot(), 'scripts/resolve.ts'), handle.workflowId, '--task-id', paid!.taskId],
          { cwd: projectRoot(), env: { ...process.env, TEMPORAL_ADDRESS: stack.address, TEMPORAL_NAMESPACE: stack.namespace } },
        );
        expect(stdout).toContain(`${handle.workflowId}: step ${stepId} resolved`);
      } else {
        expect(await resolveStep(handle, { stepId, taskId: paid!.taskId })).toBe(stepId);
      }
      return paid!.taskId;
    };

    const [hungTask, cutTask] = await Promise.all([
      settle(hung, 'lyrics', new RegExp(`no answer within ${PROVIDER_TIMEOUT_MS} ms`), true),
      settle(cut, 'song', /^acedata error/, false),
    ]);
    const hungManifest = await expectFinishedSong(hung, SONG_FILES);
    const cutManifest = await expectFinishedSong(cut, ['song.mp3', 'cover.png']);
    expect(hungManifest.steps.lyrics?.taskId).toBe(hungTask);
    expect(cutManifest.steps.song?.taskId).toBe(cutTask);
    expect(await musicState(hung)).toBe('succeeded');
    expect(await musicState(cut)).toBe('succeeded');
    const report = await faultReport();
    expect(report.injected.slice(injectedBefore).map((i) => i.fault).sort()).toEqual(['cut', 'hang']);
    expect(report.pending).toEqual([]);
  });

  it("with the run's policy onAmbiguousSubmit 'resubmit', a cut submit is sent again without an operator", async () => {
    await setFaults({ rules: [{ fault: 'cut', match: 'POST /suno/submit/music' }] }); // newapi, song step
    const run = await startSong('cut-submit-resubmit', { provider: 'newapi', onAmbiguousSubmit: 'resubmit' });
    const result: SongPipelineResult = await run.result();
    expect(result.status).toBe('succeeded');
    // Nobody resolved anything: the policy resubmitted, and the provider was paid twice for the song,
    // as that policy accepts; the song comes from the second task.
    const paid = paidFor(await ledger(), run.workflowId, 'song');
    expect(paid).toHaveLength(2);
    const manifest = JSON.parse(await readFile(path.join(result.outDir, 'track.json'), 'utf8')) as TrackManifest;
    expect(manifest.steps.song?.taskId).toBe(paid[1]!.taskId);
    expect(paidFor(await ledger(), run.workflowId, 'lyrics')).toHaveLength(1);
  });

  it('webhooks duplicated, delayed past the next poll, out of order or lost: every song completes, each step paid once, every file intact', async () => {
    const before = (await faultReport()).counts;
    // Every webhook gets one of the four faults; delayed ones come later than the steps' next poll
    // (at most 7.2 s for the song here: 30 s x 6 with callbacks, x 0.2 poll scale, +20 % jitter).
    await setFaults({ callbacks: { rate: 1, faults: ['duplicate', 'delay', 'reorder', 'drop'], delayMs: 8_000 } });
    try {
      const names = ['webhooks-one', 'webhooks-two', 'webhooks-three'];
      const runs = await Promise.all(names.map((name) => startSong(name, { steps: ['lyrics', 'song', 'wav'] })));
      for (const run of runs) await expectFinishedSong(run, [...SONG_FILES, 'song.wav']);
      const paid = (await ledger()).filter((entry) => runs.some((run) => paidStepOf(entry, SECRET)?.startsWith(`${run.workflowId}/`)));
      expect(paid).toHaveLength(runs.length * 3);
      expect(paidMoreThanOnce(paid, SECRET)).toEqual([]);
      const after = (await faultReport()).counts;
      for (const fault of ['duplicate', 'delay', 'reorder', 'drop']) {
        expect({ fault, injected: after[fault]! - before[fault]! > 0 }).toEqual({ fault, injected: true });
      }
    } finally {
      await setFaults({ callbacks: null });
    }
  });
});
