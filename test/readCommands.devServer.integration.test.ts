// `music status`, `list` and `show` with no Temporal server running read the embedded server's
// database in .data/. They once started the dev server on that database, on the configured port, and
// stopped it when they ended: a `music song` started in those seconds found that server, used it,
// and lost it. Now a read command reads a copy through a server on a free port of its own. These run
// the real command and check what a user relies on: the runs are listed, the configured port never
// answers (nothing another command could come to rely on), the database is untouched, and nothing
// is left behind.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MUSIC_SEARCH_ATTRIBUTES, MusicProvider } from '../contracts/searchAttributes';
import { isTemporalReachable, startDevServer } from '../runtime/devServer';
import type { RunSummary } from '../client/runCatalog';
import { closedLoopbackAddress } from './helpers/closedAddress';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(PROJECT, 'bin/music.js');
const RUN_ID = 'song-read-copy-1';

let scratch: string;
let dataDir: string;
let dbFile: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'read-copy-'));
  dataDir = path.join(scratch, 'data');
  dbFile = path.join(dataDir, 'temporal.db');
  // A project whose embedded server ran once: one song started (no worker ever took it), then the server stopped.
  const server = await startDevServer({ port: 0, ui: false, dbFile, searchAttributes: MUSIC_SEARCH_ATTRIBUTES });
  try {
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    await client.workflow.start('songPipeline', { workflowId: RUN_ID, taskQueue: 'nobody-polls', args: [{}], typedSearchAttributes: [{ key: MusicProvider, value: 'anyint' }] });
    // Visibility is written asynchronously: wait until the run is listed before stopping.
    for (let tries = 0; tries < 100; tries++) {
      const listed = [];
      for await (const info of client.workflow.list({ query: `WorkflowId = '${RUN_ID}'` })) listed.push(info);
      if (listed.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await connection.close();
  } finally {
    await server.stop();
  }
}, 120_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a read command with no server running', () => {
  it('lists the runs from a copy of .data/, never answers on the configured port, and leaves the database and the machine as they were', async () => {
    const configured = await closedLoopbackAddress();
    const ownTmp = path.join(scratch, 'tmp');
    await mkdir(ownTmp);
    const before = createHash('sha256').update(await readFile(dbFile)).digest('hex');
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (/^(MUSIC_|CALLBACK|TEMPORAL_|SIMULATOR_|OUT_DIR$)|_(BASE_URL|API_KEY)$/.test(key)) continue;
      env[key] = value;
    }
    Object.assign(env, { NO_COLOR: '1', MUSIC_DATA_DIR: dataDir, TEMPORAL_PORT: configured.split(':')[1]!, MUSIC_CONFIG: path.join(scratch, 'none.json'), TMPDIR: ownTmp });
    await writeFile(path.join(scratch, 'none.json'), '{}');

    let done = false;
    const outcome = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'list', '--json'], { cwd: PROJECT, env, timeout: 180_000 }, (error, stdout, stderr) => {
        done = true;
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
      });
    });
    // While the command runs, the configured port must never serve Temporal: another command would take it for the embedded server.
    let answered = false;
    while (!done) {
      if (await isTemporalReachable(configured, 500)) answered = true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { code, stdout, stderr } = await outcome;
    expect(code, stderr).toBe(0);
    expect(answered).toBe(false);
    const { runs } = JSON.parse(stdout) as { runs: RunSummary[] };
    expect(runs.map((run) => run.workflowId)).toContain(RUN_ID);
    expect(runs.find((run) => run.workflowId === RUN_ID)).toMatchObject({ kind: 'song', provider: 'anyint' });
    // The user's database is not touched, and the copy is gone.
    expect(createHash('sha256').update(await readFile(dbFile)).digest('hex')).toBe(before);
    // (tsx keeps its compile cache in the temporary folder too; only the copy's folder matters here.)
    expect((await readdir(ownTmp)).filter((name) => name.startsWith('music-read-'))).toEqual([]);
    expect(await isTemporalReachable(configured, 500)).toBe(false);
  }, 240_000);
});
