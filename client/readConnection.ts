// A connection for commands that only read runs (status, list, show). Unlike a session it never
// starts a worker: reading must not make interrupted runs go on (and pay) behind the user's back.
// When the embedded dev server is not running, its database in .data/ still holds every run, so the
// server alone is started on it, headless, for the length of the command.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Config } from '../runtime/config';
import { isTemporalReachable, startDevServer } from '../runtime/devServer';
import { dataDir } from '../runtime/projectPaths';
import { MUSIC_SEARCH_ATTRIBUTES } from '../contracts/searchAttributes';
import { connectClient, temporalTarget, TemporalUnreachableError } from './connect';

export interface ReadConnection {
  client: Client;
  /** The dev server was started for this command (on the database in .data/), with no worker. */
  startedDevServer: boolean;
  close(): Promise<void>;
}

/** Nothing to read: the embedded server has never run here. */
export class NoRunsYetError extends Error {
  override readonly name = 'NoRunsYetError';
}

export interface ReadOptions {
  /** Where the embedded server's database is (default .data/temporal.db). */
  dbFile?: string;
  /** Start the embedded dev server when it is not running (default true); false answers with how to. */
  startDevServer?: boolean;
  /** Told once, when the dev server is started for this command. */
  say?: (line: string) => void;
}

export async function openForReading(config: Config, options: ReadOptions = {}): Promise<ReadConnection> {
  const target = temporalTarget(config);
  if (await isTemporalReachable(target.address)) {
    const client = await connectClient(target);
    return { client, startedDevServer: false, close: () => client.connection.close() };
  }
  if (config.temporal.address) {
    throw new TemporalUnreachableError(`no Temporal server answers at ${target.address} (TEMPORAL_ADDRESS); start it to see its runs`);
  }
  const dbFile = options.dbFile ?? path.join(dataDir(), 'temporal.db');
  if (!existsSync(dbFile)) {
    throw new NoRunsYetError(`no runs yet: the embedded Temporal server keeps its runs in ${dbFile}, which does not exist (the first \`music song\` makes it)`);
  }
  if (options.startDevServer === false) {
    throw new TemporalUnreachableError(
      `the embedded Temporal server is not running; its runs are in ${dbFile}: run this command without --no-start to read them, or \`music start\` and open the Temporal UI`,
    );
  }
  options.say?.(`the embedded Temporal server is not running: reading ${dbFile} with a server started for this command (no worker: running runs wait for \`music start\`)`);
  const server = await startDevServer({
    port: config.temporal.devServerPort,
    ui: false,
    dbFile,
    namespace: config.temporal.namespace,
    searchAttributes: MUSIC_SEARCH_ATTRIBUTES,
  });
  try {
    const client = await connectClient({ address: server.address, namespace: config.temporal.namespace });
    return {
      client,
      startedDevServer: true,
      close: async () => {
        await client.connection.close();
        await server.stop();
      },
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
