// Workflow code runs in the worker's deterministic sandbox, bundled from workflows/index.ts: it may
// know the activities only as types (each feature's *Proxies.ts file proxies them with
// `import type`), and it must not pull in Node, the activity context or the client. Activity code in
// turn must not import workflow code as a value (it would run outside the sandbox). Both are
// checked here on the import graph, by reading the sources: no bundling, so it runs in a blink and
// names the file and the import at fault.
import { builtinModules } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKFLOWS = path.join(ROOT, 'workflows/index.ts');
const ACTIVITIES = path.join(ROOT, 'activities/index.ts');

/** Packages that only make sense outside the workflow sandbox. */
const NOT_IN_WORKFLOWS = ['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'];

interface Import {
  from: string;
  specifier: string;
  /** `import type`, `export type`, or braces whose every name is marked `type`: erased at compile time. */
  typeOnly: boolean;
}

const IMPORT = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?([\w$*\s,{}]*?)\s*from\s*['"]([^'"]+)['"]|(?:^|[\n;])\s*import\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): Import[] {
  // Comments that start a line go (a `/*` inside a string cannot swallow code that way).
  const text = readFileSync(file, 'utf8').replace(/^\s*\/\*[\s\S]*?\*\//gm, '').replace(/^\s*\/\/.*$/gm, '');
  const found: Import[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const specifier = m[4] ?? m[5] ?? m[6]!;
    let typeOnly = false;
    if (m[4] !== undefined) {
      const clause = m[3]!.trim();
      const braces = /^\{([^}]*)\}$/.exec(clause);
      const names = braces ? braces[1]!.split(',').map((n) => n.trim()).filter(Boolean) : [];
      typeOnly = m[2] !== undefined || (braces !== null && names.length > 0 && names.every((n) => n.startsWith('type ')));
    }
    found.push({ from: file, specifier, typeOnly });
  }
  return found;
}

function resolveRelative(from: string, specifier: string): string {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate)) return candidate;
  }
  throw new Error(`${path.relative(ROOT, from)}: cannot resolve ${specifier}`);
}

/** Every file reachable from `entry` through value imports (type-only imports are erased, so they do not count). */
function valueClosure(entry: string): Map<string, Import[]> {
  const seen = new Map<string, Import[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    const imports = importsOf(file).filter((i) => !i.typeOnly);
    seen.set(file, imports);
    for (const i of imports) if (i.specifier.startsWith('.')) queue.push(resolveRelative(file, i.specifier));
  }
  return seen;
}

const rel = (file: string) => path.relative(ROOT, file);
const isNodeBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);

describe('workflow / activity boundary', () => {
  const workflowSide = valueClosure(WORKFLOWS);
  const activitySide = valueClosure(ACTIVITIES);
  /** The modules whose activity factories activities/index.ts composes. */
  const activityModules = importsOf(ACTIVITIES)
    .filter((i) => !i.typeOnly && i.specifier.startsWith('.'))
    .map((i) => resolveRelative(ACTIVITIES, i.specifier));
  /** The modules that define the workflows the worker bundles. */
  const workflowModules = importsOf(WORKFLOWS)
    .filter((i) => !i.typeOnly && i.specifier.startsWith('.'))
    .map((i) => resolveRelative(WORKFLOWS, i.specifier));

  it('finds the modules on each side (the import reader works)', () => {
    expect(activityModules.map(rel)).toContain('artifacts/artifactActivities.ts');
    expect(workflowModules.map(rel)).toContain('song/songPipeline.ts');
    expect([...workflowSide.keys()].map(rel)).toContain('steps/providerStep.ts');
    expect([...activitySide.keys()].map(rel)).toContain('steps/queryBatcher.ts');
  });

  it('workflow code imports no activity module as a value', () => {
    const offending = [...workflowSide.keys()].filter((f) => f === ACTIVITIES || activityModules.includes(f)).map(rel);
    expect(offending).toEqual([]);
  });

  it('workflow code imports neither Node nor the activity, client or worker packages', () => {
    const offending = [...workflowSide.values()]
      .flat()
      .filter((i) => isNodeBuiltin(i.specifier) || NOT_IN_WORKFLOWS.includes(i.specifier))
      .map((i) => `${rel(i.from)} imports ${i.specifier}`);
    expect(offending).toEqual([]);
  });

  it('activity code imports no workflow module as a value', () => {
    const offending = [...activitySide.keys()].filter((f) => f === WORKFLOWS || workflowModules.includes(f)).map(rel);
    expect(offending).toEqual([]);
  });
});
