// A command that only talks to a running worker must not load the machinery for starting one. The
// stack (dev server, simulator, callback endpoint, worker) is reached from client/session.ts only
// through `await import(...)`, when a session has to start it. This follows the static imports of
// each client script, as Node loads them, and checks that none of that machinery is among them.
// (Before the client layer, `npm run song` loaded 111 project files, 46 of them the simulator's;
// with it, 45 and none.)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `import … from './x'`, `import './x'`, `export … from './x'`; group 1 marks `import type`/`export type`, group 2 is the clause. */
const STATIC_IMPORT = /^[ \t]*(?:import|export)[ \t]+(type[ \t]+)?(?:([^'";]*?)\s*from\s*)?['"](\.{1,2}\/[^'"]*)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"](\.{1,2}\/[^'"]*)['"]\s*\)/g;

function resolveImport(from: string, specifier: string): string {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${path.relative(ROOT, from)}: cannot resolve ${specifier}`);
}

/** `{ type A, type B }` names only types: TypeScript drops the import, so nothing is loaded. */
function namesOnlyTypes(clause: string | undefined): boolean {
  const braces = clause && /^\{([\s\S]*)\}$/.exec(clause.trim());
  if (!braces) return false;
  const names = braces[1]!.split(',').map((name) => name.trim()).filter(Boolean);
  return names.length > 0 && names.every((name) => name.startsWith('type '));
}

/** Project files (relative to the root) that loading `entry` loads; with `dynamic`, also those its `import()` calls may load. */
function importClosure(entry: string, options: { dynamic?: boolean } = {}): string[] {
  const seen = new Set<string>();
  const pending = [path.join(ROOT, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.ts')) continue;
    const text = readFileSync(file, 'utf8');
    for (const [, typeOnly, clause, specifier] of text.matchAll(STATIC_IMPORT)) {
      if (typeOnly || namesOnlyTypes(clause)) continue;
      pending.push(resolveImport(file, specifier!));
    }
    if (options.dynamic) for (const [, specifier] of text.matchAll(DYNAMIC_IMPORT)) pending.push(resolveImport(file, specifier!));
  }
  return [...seen].map((file) => path.relative(ROOT, file).split(path.sep).join('/')).sort();
}

/** What starts a system rather than talks to one: only a session that must start it may load these. */
const STARTING_MACHINERY = ['simulator/', 'stack/', 'workers/', 'activities/', 'callbacks/callbackEndpoint'];

const CLIENT_SCRIPTS = ['scripts/song.ts', 'scripts/album.ts', 'scripts/batch.ts', 'scripts/choose-clip.ts', 'scripts/resolve.ts', 'scripts/status.ts', 'scripts/list.ts', 'scripts/show.ts'];

describe('client scripts load the stack only when they start one', () => {
  it.each(CLIENT_SCRIPTS)('%s statically imports nothing of the simulator, stack, worker or callback endpoint', (script) => {
    const loaded = importClosure(script);
    expect(loaded.filter((file) => STARTING_MACHINERY.some((prefix) => file.startsWith(prefix)))).toEqual([]);
  });

  it('scripts/song.ts reaches the stack, and the simulator, through the session dynamic import alone', () => {
    // Proves the walk above would have seen the stack had it been imported statically.
    const reachable = importClosure('scripts/song.ts', { dynamic: true });
    expect(reachable).toContain('stack/stack.ts');
    expect(reachable.filter((file) => file.startsWith('simulator/')).length).toBeGreaterThan(10);
    expect(importClosure('scripts/song.ts')).toContain('client/session.ts');
  });
});

describe('clients start workflows by passing the workflow function', () => {
  function sourceFiles(dir: string): string[] {
    return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
      const relative = path.join(dir, name);
      if (statSync(path.join(ROOT, relative)).isDirectory()) return sourceFiles(relative);
      return name.endsWith('.ts') ? [relative] : [];
    });
  }

  it('no script, client or chaos file starts, executes or signal-with-starts a workflow by its name', () => {
    // By name the arguments go unchecked and a renamed workflow fails at run time, not at build time.
    const byName = /\.workflow\.(?:start|execute|signalWithStart)\(\s*['"`]/;
    const offenders = ['scripts', 'client', 'chaos'].flatMap(sourceFiles).filter((file) => byName.test(readFileSync(path.join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
