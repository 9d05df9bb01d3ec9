// The Python environment the tempo and key analysis runs in: librosa (ISC licence) and its pinned
// dependencies from PyPI (requirements.txt beside this file), installed into a virtual environment
// in the git-ignored `.tools/analysis` by `npm run setup:analysis` (which `npm test` and .ci/run
// call). It is installed once: a marker holding the requirements' sha256 says the environment is
// complete and current, so a rerun costs one file read, and a changed pin reinstalls it.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../../runtime/projectPaths';

/** A Python that already has librosa (installed some other way): used as it is, never changed. */
export const ANALYSIS_PYTHON_ENV = 'ANALYSIS_PYTHON';
/** The Python the environment is made from; default `python3` on PATH. */
export const ANALYSIS_BASE_PYTHON_ENV = 'ANALYSIS_BASE_PYTHON';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REQUIREMENTS_FILE = path.join(here, 'requirements.txt');
export const ANALYSIS_SCRIPT = path.join(here, 'analyze_audio.py');

export class AnalysisToolMissingError extends Error {
  override readonly name = 'AnalysisToolMissingError';
}

export function analysisEnvDir(): string {
  return path.join(projectRoot(), '.tools', 'analysis');
}

function venvPython(dir: string): string {
  return process.platform === 'win32' ? path.join(dir, 'Scripts', 'python.exe') : path.join(dir, 'bin', 'python');
}

function markerFile(dir: string): string {
  return path.join(dir, 'installed-requirements.sha256');
}

function requirementsDigest(): string {
  return createHash('sha256').update(readFileSync(REQUIREMENTS_FILE)).digest('hex');
}

/** True when `dir` holds a complete environment for the current requirements. */
function isCurrent(dir: string): boolean {
  try {
    return existsSync(venvPython(dir)) && readFileSync(markerFile(dir), 'utf8').trim() === requirementsDigest();
  } catch {
    return false;
  }
}

/** The Python to run analyze_audio.py with ($ANALYSIS_PYTHON, else the installed environment's). */
export function analysisPython(): string {
  const configured = process.env[ANALYSIS_PYTHON_ENV];
  if (configured) {
    if (!existsSync(configured)) throw new AnalysisToolMissingError(`${ANALYSIS_PYTHON_ENV}=${configured} does not exist`);
    return configured;
  }
  const dir = analysisEnvDir();
  if (!isCurrent(dir)) {
    throw new AnalysisToolMissingError(`the audio analysis environment (librosa) is not installed in ${dir}: run npm run setup:analysis, or set ${ANALYSIS_PYTHON_ENV} to a Python that has librosa`);
  }
  return venvPython(dir);
}

function run(command: string, args: string[], what: string, quietOutput: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', quietOutput ? 'ignore' : 'inherit', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => {
      err.push(c);
      if (!quietOutput) process.stderr.write(c);
    });
    child.on('error', (e) => reject(new Error(`${what}: cannot run ${command} (${e.message})`)));
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} exited with ${code}: ${Buffer.concat(err).toString('utf8').trim().split('\n').slice(-4).join(' | ')}`));
    });
  });
}

function pythonVersion(python: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { timeout: 30_000 }, (err, out) => (err ? reject(err) : resolve(out.trim()))),
  );
}

/**
 * Makes the environment unless a current one is there (or $ANALYSIS_PYTHON names one). Returns the
 * Python to run the analysis with. An interrupted install leaves no marker, so the next call starts over.
 */
export async function installAnalysisEnv(log: (line: string) => void = () => {}, options: { quiet?: boolean } = {}): Promise<string> {
  if (process.env[ANALYSIS_PYTHON_ENV]) return analysisPython();
  const dir = analysisEnvDir();
  if (isCurrent(dir)) return venvPython(dir);
  const base = process.env[ANALYSIS_BASE_PYTHON_ENV] ?? 'python3';
  const version = await pythonVersion(base).catch((err: Error) => {
    throw new AnalysisToolMissingError(`cannot run ${base} (${err.message}): install Python 3.10 or newer, or set ${ANALYSIS_BASE_PYTHON_ENV}`);
  });
  const [major, minor] = version.split('.').map(Number);
  if (major !== 3 || minor! < 10) throw new AnalysisToolMissingError(`${base} is Python ${version}; the analysis needs 3.10 or newer (set ${ANALYSIS_BASE_PYTHON_ENV})`);
  log(`Installing the audio analysis environment (librosa, from PyPI) into ${dir}: about two minutes, once...`);
  const started = Date.now();
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.dirname(dir), { recursive: true });
  await run(base, ['-m', 'venv', dir], 'python3 -m venv', options.quiet ?? false);
  const python = venvPython(dir);
  await run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '-q', '-r', REQUIREMENTS_FILE], 'pip install -r requirements.txt', options.quiet ?? false);
  // Both analyses once: proves the environment works, and numba's compiled code is cached now
  // rather than costing a worker's first album a minute.
  await run(python, [ANALYSIS_SCRIPT, '--warm-up'], 'the analysis warm-up', true);
  await writeFile(markerFile(dir), `${requirementsDigest()}\n`);
  log(`Installed in ${Math.round((Date.now() - started) / 1000)} s: ${python}`);
  return python;
}

/** The installed librosa's version, for the setup script's message. */
export async function librosaVersion(python: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(python, ['-c', 'import importlib.metadata as m; print(m.version("librosa"))'], { timeout: 60_000 }, (err, out) => (err ? reject(err) : resolve(out.trim()))),
  );
}
