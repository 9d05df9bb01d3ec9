// The operator's own prices, from a YAML or JSON file named by MUSIC_PRICES_FILE (or passed
// explicitly), laid over the defaults in prices.ts. Kept apart from prices.ts because it reads
// files, which workflow code must not import.
//
//   cqt:
//     song: 30
//     all-stems: 120
//   anyint: { song: 12, wav: 0.4 }
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { PROVIDER_NAMES, STEP_KINDS } from './model';
import { applyPriceOverrides, DEFAULT_PRICES, type PriceOverrides, type PriceTable } from './prices';

export const PRICES_FILE_VARIABLE = 'MUSIC_PRICES_FILE';

const stepPrices = z.partialRecord(z.enum(STEP_KINDS), z.number().nonnegative().finite());
const overridesSchema = z.partialRecord(z.enum(PROVIDER_NAMES), stepPrices);

export class PriceFileError extends Error {
  override readonly name = 'PriceFileError';
}

/** Validates overrides already parsed; every problem as `provider.step: message`. */
export function parsePriceOverrides(value: unknown, source: string): PriceOverrides {
  if (value === null || value === undefined) return {};
  const parsed = overridesSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.flatMap((issue) => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys' || issue.code === 'invalid_key') {
      const what = issue.path.length === 0 ? 'provider' : 'step';
      const known = issue.path.length === 0 ? PROVIDER_NAMES : STEP_KINDS;
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : ['(key)'];
      return keys.map((key) => `${at ? `${at}.` : ''}${key}: unknown ${what} (known: ${known.join(', ')})`);
    }
    if (issue.code === 'invalid_type') return [`${at || '(file)'}: expected ${issue.expected === 'record' ? 'a mapping' : issue.expected}`];
    if (issue.code === 'too_small') return [`${at}: must be at least 0`];
    return [`${at || '(file)'}: ${issue.message}`];
  });
  throw new PriceFileError(`prices ${source}:\n  ${problems.join('\n  ')}`);
}

export interface LoadPricesOptions {
  /** A prices file; wins over the environment. */
  file?: string;
  env?: NodeJS.ProcessEnv;
}

/** The defaults, with the prices file (option, else MUSIC_PRICES_FILE) laid over them. */
export async function loadPriceTable(options: LoadPricesOptions = {}): Promise<PriceTable> {
  const env = options.env ?? process.env;
  const file = options.file ?? (env[PRICES_FILE_VARIABLE] || undefined);
  if (!file) return DEFAULT_PRICES;
  const source = options.file ? file : `${PRICES_FILE_VARIABLE}=${file}`;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PriceFileError(`prices ${source}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (err as Error).message})`}`);
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (err) {
    throw new PriceFileError(`prices ${source}: not YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  return applyPriceOverrides(DEFAULT_PRICES, parsePriceOverrides(value, source));
}
