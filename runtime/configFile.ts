// The optional configuration file beside the environment: `music.config.json` in the current folder
// (a project's settings) or `.music.config.json` in the home folder (a person's), or the one file
// MUSIC_CONFIG names. Its keys are the environment variables' names, so the README's one table
// describes both; a variable set in the environment wins over a file, the project's file over the
// home folder's. A file is checked as strictly as the environment: an unknown key or a value that is
// not a string, number or boolean is an error naming the key and the file.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

export const PROJECT_CONFIG_FILE = 'music.config.json';
export const HOME_CONFIG_FILE = '.music.config.json';
/** Names the one file to read instead of looking in the current and home folders. */
export const CONFIG_FILE_ENV = 'MUSIC_CONFIG';

export interface ConfigFileValues {
  /** Each key's value as the environment would spell it. */
  values: Record<string, string>;
  /** The file each key came from. */
  sourceOf: Record<string, string>;
}

/** A problem with a configuration file: the message names the file, and the key when there is one. */
export class ConfigFileError extends Error {
  override readonly name = 'ConfigFileError';
}

/** The files to read, lowest precedence first: the home folder's, then the current folder's; or only MUSIC_CONFIG's. */
export function configFiles(env: NodeJS.ProcessEnv, cwd = process.cwd(), home = homedir()): { files: string[]; required: boolean } {
  const named = env[CONFIG_FILE_ENV];
  if (named) return { files: [path.resolve(cwd, named)], required: true };
  return { files: [path.join(home, HOME_CONFIG_FILE), path.join(cwd, PROJECT_CONFIG_FILE)].filter((f, i, all) => all.indexOf(f) === i), required: false };
}

const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, a number or true/false' });

/** Reads and checks the files (missing ones are skipped unless `required`); later files win. */
export function readConfigFiles(files: string[], knownKeys: readonly string[], required = false): ConfigFileValues {
  const result: ConfigFileValues = { values: {}, sourceOf: {} };
  const schema = z.strictObject(Object.fromEntries(knownKeys.map((k) => [k, scalar.optional()])));
  for (const file of files) {
    if (!existsSync(file)) {
      if (required) throw new ConfigFileError(`${CONFIG_FILE_ENV}: ${file} does not exist`);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigFileError(`${file}: not a JSON file (${(err as Error).message})`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigFileError(`${file}: must hold one JSON object, e.g. { "MUSIC_PROVIDER": "acedata" }`);
    const checked = schema.safeParse(parsed);
    if (!checked.success) {
      const problems = checked.error.issues.flatMap((issue) =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => `  ${key}: unknown key${suggestion(key, knownKeys)}`)
          : [`  ${String(issue.path[0])}: ${issue.message}`],
      );
      throw new ConfigFileError(`invalid configuration file ${file}:\n${problems.join('\n')}`);
    }
    for (const [key, value] of Object.entries(checked.data)) {
      if (value === undefined) continue;
      result.values[key] = String(value);
      result.sourceOf[key] = file;
    }
  }
  return result;
}

/** " (did you mean OUT_DIR?)" for a key that differs from a known one in case, separators or two letters. */
function suggestion(key: string, knownKeys: readonly string[]): string {
  const norm = (k: string) => k.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const ranked = knownKeys.map((k) => ({ k, d: editDistance(norm(k), norm(key)) })).sort((a, b) => a.d - b.d);
  const best = ranked[0];
  return best && best.d <= 2 ? ` (did you mean ${best.k}?)` : '; the keys are the environment variables (README, Configuration)';
}

/** Levenshtein distance: insertions, deletions and substitutions of one letter. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
