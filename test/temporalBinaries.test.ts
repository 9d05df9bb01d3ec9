// What users rely on from the local Temporal tooling: misconfiguration is reported, not silently bypassed;
// installed binaries are reused; the dev server comes up with our search attributes, keeps its history across
// restarts, and leaves nothing running after stop().
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTemporalReachable, startDevServer } from '../runtime/devServer';
import { findTemporalCli, TEMPORAL_CLI_PATH_ENV } from '../runtime/temporalBinaries';
import { MUSIC_SEARCH_ATTRIBUTES, MusicProvider } from '../contracts/searchAttributes';
import { createTimeSkippingEnv } from './helpers/temporalEnv';

let scratch: string;
let cli: string | undefined;
const savedCliEnv = process.env[TEMPORAL_CLI_PATH_ENV];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'temporal-binaries-'));
  delete process.env[TEMPORAL_CLI_PATH_ENV];
  cli = await findTemporalCli({ install: true });
});

afterEach(() => {
  delete process.env[TEMPORAL_CLI_PATH_ENV];
});

afterAll(async () => {
  if (savedCliEnv === undefined) delete process.env[TEMPORAL_CLI_PATH_ENV];
  else process.env[TEMPORAL_CLI_PATH_ENV] = savedCliEnv;
  await rm(scratch, { recursive: true, force: true });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('findTemporalCli', () => {
  it('names TEMPORAL_CLI_PATH when it points at something that cannot run', async () => {
    const notABinary = path.join(scratch, 'temporal');
    await writeFile(notABinary, 'just text\n');
    await chmod(notABinary, 0o644);
    process.env[TEMPORAL_CLI_PATH_ENV] = notABinary;
    await expect(findTemporalCli({ install: true })).rejects.toThrow(/TEMPORAL_CLI_PATH/);
  });

  it('reuses the binary it found instead of installing again', async (ctx) => {
    if (!cli) return ctx.skip('no temporal CLI could be found or installed here');
    const before = await stat(cli);
    const started = performance.now();
    const again = await findTemporalCli({ install: true });
    expect(performance.now() - started).toBeLessThan(500);
    expect(again).toBe(cli);
    expect((await stat(cli)).mtimeMs).toBe(before.mtimeMs);
  });
});

describe('startDevServer', () => {
  it('serves our search attributes, keeps history across restarts, and leaves nothing behind', async (ctx) => {
    if (!cli) return ctx.skip('no temporal CLI could be found or installed here');
    const dbFile = path.join(scratch, 'dev.db');
    const start = () => startDevServer({ cliPath: cli, port: 0, ui: false, dbFile, searchAttributes: MUSIC_SEARCH_ATTRIBUTES });

    const first = await start();
    let connection = await Connection.connect({ address: first.address });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: first.namespace });
      for (const { name } of MUSIC_SEARCH_ATTRIBUTES) expect(customAttributes?.[name]).toBeDefined();
      // No worker polls this queue; the execution just has to survive the restart.
      await connection.workflowService.startWorkflowExecution({
        namespace: first.namespace,
        workflowId: 'survives-restart',
        workflowType: { name: 'nothing' },
        taskQueue: { name: 'nobody-listens' },
        requestId: 'survives-restart',
      });
    } finally {
      await connection.close();
    }
    await first.stop();
    expect(await isTemporalReachable(first.address)).toBe(false);
    expect(first.pid !== undefined && isAlive(first.pid)).toBe(false);

    const second = await start();
    connection = await Connection.connect({ address: second.address });
    try {
      const described = await connection.workflowService.describeWorkflowExecution({
        namespace: second.namespace,
        execution: { workflowId: 'survives-restart' },
      });
      expect(described.workflowExecutionInfo?.type?.name).toBe('nothing');
    } finally {
      await connection.close();
      await second.stop();
    }
    expect(second.pid !== undefined && isAlive(second.pid)).toBe(false);
  });
});

describe('createTimeSkippingEnv', () => {
  it('registers our search attributes so workflows may set them', async () => {
    const env = await createTimeSkippingEnv();
    try {
      // The test server refuses unregistered attributes at start, so a successful start proves registration.
      const handle = await env.client.workflow.start('nothing', {
        taskQueue: 'nobody-listens',
        workflowId: 'typed-search-attributes',
        typedSearchAttributes: [{ key: MusicProvider, value: 'suno' }],
      });
      await handle.terminate();
    } finally {
      await env.teardown();
    }
  });
});
