// A connection for commands that only read runs (status, list, show). Unlike a session it never
// starts a worker: reading must not make interrupted runs go on (and pay) behind the user's back.
// When the embedded dev server is not running, its database in .data/ still holds every run. The
// command then reads a copy of it, through a server of its own on a free port, headless, for the
// length of the command. Not the database itself on the configured port: a `music song` started in
// those seconds would find that server, rely on it, and lose it when the read command stopped it
// (and two servers must never write one SQLite file). A copy on a port nobody else looks at is
// invisible to other commands, and nothing lingers after the command: no server, no copy.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Config } from '../runtime/config';
import { isTemporalReachable, startDevServer, type DevServer } from '../runtime/devServer';
import { dataDir } from '../runtime/projectPaths';
import { MUSIC_SEARCH_ATTRIBUTES } from '../contracts/searchAttributes';
import { connectClient, temporalTarget, TemporalUnreachableError } from './connect';

export interface ReadConnection {
  client: Client;
  /** A dev server was started for this command (on a copy of the database in .data/), with no worker. */
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
  options.say?.(`the embedded Temporal server is not running: reading a copy of ${dbFile} through a server of this command's own (no worker: running runs wait for \`music start\`)`);
  const snapshot = await mkdtemp(path.join(tmpdir(), 'music-read-'));
  const discard = () => rm(snapshot, { recursive: true, force: true });
  let server: DevServer | undefined;
  try {
    const copy = await copyDatabase(dbFile, snapshot);
    server = await startDevServer({ port: 0, ui: false, dbFile: copy, namespace: config.temporal.namespace, searchAttributes: MUSIC_SEARCH_ATTRIBUTES });
    const running = server;
    const client = await connectClient({ address: running.address, namespace: config.temporal.namespace });
    return {
      client,
      startedDevServer: true,
      close: async () => {
        await client.connection.close();
        await running.stop();
        await discard();
      },
    };
  } catch (err) {
    await server?.stop();
    await discard();
    throw err;
  }
}

/** SQLite's database and, when present, its write-ahead log and shared-memory index, copied into `folder`. */
async function copyDatabase(dbFile: string, folder: string): Promise<string> {
  const copy = path.join(folder, path.basename(dbFile));
  await copyFile(dbFile, copy);
  for (const suffix of ['-wal', '-shm', '-journal']) {
    await copyFile(`${dbFile}${suffix}`, `${copy}${suffix}`).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
  return copy;
}
