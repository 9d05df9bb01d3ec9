// Errors in a user's document (an album manifest, a pipeline definition) as `path: message` lines
// (`tracks[3].style: required`). The path is what a user searches for in the file, so it uses the
// document's own field names; list positions count from 1, as people (and every message) count
// tracks: `tracks[3]` is track 3, `clips[1]` the first clip listed. One numbering everywhere, so a
// path and the text beside it never disagree.
import type { z } from 'zod';

/** `tracks[2].steps[1]` from the 0-based path zod and the checks build; the document itself is `(manifest)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment + 1}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out || '(manifest)';
}

export function pathError(path: readonly PropertyKey[], message: string): string {
  return `${formatPath(path)}: ${message}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return `${typeof value} ${String(value)}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
};

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

function quoteList(values: readonly unknown[]): string {
  return values.map((v) => String(v)).join(', ');
}

function sizeMessage(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const big = issue.code === 'too_big';
  const limit = Number(big ? (issue as z.core.$ZodIssueTooBig).maximum : (issue as z.core.$ZodIssueTooSmall).minimum);
  const inclusive = issue.inclusive !== false;
  const input = (issue as { input?: unknown }).input;
  switch (issue.origin) {
    case 'string':
      if (!big && limit === 1) return 'must not be empty';
      return big ? `must be at most ${limit} characters (it has ${String(input).length})` : `must be at least ${limit} characters`;
    case 'array':
      if (!big && limit === 1) return 'must list at least one item';
      return big ? `must list at most ${limit} items (it lists ${Array.isArray(input) ? input.length : '?'})` : `must list at least ${limit} items`;
    default: {
      const got = input === undefined ? '' : ` (got ${String(input)})`;
      if (big) return `must be ${inclusive ? 'at most' : 'less than'} ${limit}${got}`;
      return `must be ${inclusive ? 'at least' : 'greater than'} ${limit}${got}`;
    }
  }
}

/** One zod issue as the lines a user reads (an unknown-keys issue names each key on its own line). */
export function issueLines(issue: z.core.$ZodIssue, knownFields: readonly string[] = []): string[] {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) return [pathError(issue.path, 'required')];
      const hint = issue.expected === 'boolean' && typeof input === 'string' ? ' (write true or false, unquoted)' : '';
      return [pathError(issue.path, `expected ${typeName(issue.expected)}, got ${describeValue(input)}${hint}`)];
    }
    case 'invalid_value':
      if (issue.values.length === 1) return [pathError(issue.path, `must be ${quoteList(issue.values)}${input === undefined ? '' : ` (got ${describeValue(input)})`}`)];
      return [pathError(issue.path, `must be one of ${quoteList(issue.values)}${input === undefined ? '' : ` (got ${describeValue(input)})`}`)];
    case 'too_big':
    case 'too_small':
      return [pathError(issue.path, sizeMessage(issue))];
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const near = closest(key, knownFields);
        return pathError([...issue.path, key], `unknown field${near ? ` (did you mean ${near}?)` : ''}`);
      });
    case 'invalid_union': {
      const discriminated = issue as z.core.$ZodIssueInvalidUnion & { discriminator?: string; options?: unknown[] };
      if (discriminated.discriminator) {
        // zod puts the discriminator in the path already (persona.strategy).
        const given = typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[discriminated.discriminator] : undefined;
        const options = quoteList(discriminated.options ?? []);
        if (typeof input !== 'object' || input === null || Array.isArray(input)) {
          return [pathError(issue.path.slice(0, -1), `expected a mapping with ${discriminated.discriminator}: ${options}, got ${describeValue(input)}`)];
        }
        return [pathError(issue.path, given === undefined ? `required (one of ${options})` : `must be one of ${options} (got ${describeValue(given)})`)];
      }
      const expected = issue.errors.flatMap((branch) => branch.filter((i) => i.path.length === 0 && i.code === 'invalid_type').map((i) => typeName((i as z.core.$ZodIssueInvalidType).expected)));
      if (expected.length === issue.errors.length) return [pathError(issue.path, input === undefined ? 'required' : `expected ${expected.join(' or ')}, got ${describeValue(input)}`)];
      return [pathError(issue.path, 'is not valid here')];
    }
    case 'invalid_format':
      return [pathError(issue.path, issue.message)];
    default:
      return [pathError(issue.path, issue.message)];
  }
}

/** The known name within two edits of `key` (case-insensitive), for typos like `lyricfile`. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of new Set(known)) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
