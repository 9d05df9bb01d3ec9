// versitygw, the S3-compatible server the test suite stores artifacts in (its posix backend keeps
// objects as plain files in a folder). Built once with `go install` from the Go module proxy into the
// git-ignored `.tools/bin`, by `npm run setup:s3` (which .ci/run calls); tests only look it up.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { makeFolder } from './makeFolder';
import { projectRoot } from './projectPaths';

export const VERSITYGW_GO_PACKAGE = 'github.com/versity/versitygw/cmd/versitygw';
export const VERSITYGW_GO_VERSION = 'v1.8.0';
/** Overrides where the binary is looked for (a versitygw installed some other way). */
export const VERSITYGW_PATH_ENV = 'VERSITYGW_PATH';

const EXE = process.platform === 'win32' ? '.exe' : '';

export function toolsBinDir(): string {
  return path.join(projectRoot(), '.tools', 'bin');
}

function runs(file: string): Promise<boolean> {
  return new Promise((resolve) => execFile(file, ['--version'], { timeout: 20_000 }, (err) => resolve(!err)));
}

/** Path of a runnable versitygw ($VERSITYGW_PATH, then .tools/bin), or undefined. */
export async function findVersitygw(): Promise<string | undefined> {
  const configured = process.env[VERSITYGW_PATH_ENV];
  const candidate = configured ? path.resolve(configured) : path.join(toolsBinDir(), `versitygw${EXE}`);
  return existsSync(candidate) && (await runs(candidate)) ? candidate : undefined;
}

/**
 * Builds versitygw with `go install` into .tools/bin unless a runnable one is there already (so CI
 * pays the build once per clean clone, and a rerun costs a version probe). Returns its path.
 */
export async function installVersitygw(log: (line: string) => void = () => {}): Promise<string> {
  const found = await findVersitygw();
  if (found) return found;
  const dest = path.join(toolsBinDir(), `versitygw${EXE}`);
  await makeFolder(path.dirname(dest));
  // A private GOBIN, so the binary is renamed into place only once it is complete and runs.
  const gobin = await mkdtemp(path.join(path.dirname(dest), '.go-'));
  try {
    log(`Building versitygw ${VERSITYGW_GO_VERSION} with go install (about two minutes on a cold Go cache)...`);
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn('go', ['install', `${VERSITYGW_GO_PACKAGE}@${VERSITYGW_GO_VERSION}`], { env: { ...process.env, GOBIN: gobin }, stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('error', (err) => reject(new Error(`cannot run go (${err.message}); install Go or set ${VERSITYGW_PATH_ENV}`)));
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`go install ${VERSITYGW_GO_PACKAGE}@${VERSITYGW_GO_VERSION} exited with ${code}`))));
    });
    const built = path.join(gobin, `versitygw${EXE}`);
    if (!(await runs(built))) throw new Error(`the versitygw built by go install does not run here`);
    await rename(built, dest);
    log(`Built in ${Math.round((Date.now() - started) / 1000)} s: ${dest}`);
    return dest;
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
}
