// Temporal servers for our test suites, using the binaries from `npm run setup` so tests run without internet.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
// CommonJS package: only the default import works under both vitest and plain Node ESM (tsx).
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer } from '../../runtime/devServer';
import { findTestServer } from '../../runtime/temporalBinaries';
import { MUSIC_SEARCH_ATTRIBUTES } from '../../contracts/searchAttributes';

const { IndexedValueType } = proto.temporal.api.enums.v1;

/**
 * Registers our custom search attributes. The time-skipping server rejects workflows that set unregistered ones
 * ("search attribute X is not defined"); it implements AddSearchAttributes but not ListSearchAttributes.
 */
async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const searchAttributes: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {};
  for (const { name, type } of MUSIC_SEARCH_ATTRIBUTES) {
    searchAttributes[name] = IndexedValueType[`INDEXED_VALUE_TYPE_${type satisfies SearchAttributeType}`];
  }
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
}

/** A fresh time-skipping test server with our search attributes registered; the caller tears it down. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const executable = await findTestServer({ install: true, log: (msg) => console.log(`[test server] ${msg}`) });
  const env = await TestWorkflowEnvironment.createTimeSkipping(
    executable ? { server: { executable: { type: 'existing-path', path: executable } } } : undefined,
  );
  try {
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

export interface TestDevServer {
  address: string;
  namespace: string;
  stop(): Promise<void>;
}

/** A real dev server on free ports, headless, with a throwaway database and our search attributes. */
export async function startTestDevServer(): Promise<TestDevServer> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'temporal-dev-'));
  try {
    const server = await startDevServer({
      port: 0,
      ui: false,
      dbFile: path.join(scratch, 'temporal.db'),
      searchAttributes: MUSIC_SEARCH_ATTRIBUTES,
      log: (line) => console.log(`[dev server] ${line}`),
    });
    return {
      address: server.address,
      namespace: server.namespace,
      stop: async () => {
        try {
          await server.stop();
        } finally {
          await rm(scratch, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }
}
