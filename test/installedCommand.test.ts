// The installed `music` command (npm pack, then a global or production install) gets `dependencies`
// only. A source file that loads a devDependency works from the repository and fails with
// ERR_MODULE_NOT_FOUND once installed, as the shim did while tsx was a devDependency. This reads
// every file a command can load (all but test/) and checks each package it loads at run time.
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKIPPED = new Set(['node_modules', 'test', '.git', '.data', '.temporal', '.tools', 'out']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIPPED.has(name)) return [];
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|js)$/.test(name) && !/\.config\.ts$/.test(name) ? [full] : [];
  });
}

/** Packages a file loads when it runs: static and dynamic imports of bare names; `import type` is erased. */
function loadedPackages(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(/^[ \t]*(?:import|export)[ \t]+(type[ \t]+)?(?:[^'";]*?\s*from\s*)?['"]([^'".][^'"]*)['"]/gm)) {
    if (!match[1]) names.push(match[2]!);
  }
  for (const match of text.matchAll(/\bimport\(\s*['"]([^'".][^'"]*)['"]\s*\)/g)) names.push(match[1]!);
  return names.map((specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!));
}

describe('the installed command', () => {
  it('loads only packages listed in dependencies (a production install has no devDependencies)', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const builtins = new Set(builtinModules);
    const missing: string[] = [];
    const files = sourceFiles(ROOT);
    expect(files.map((file) => path.relative(ROOT, file))).toContain('bin/music.js');
    for (const file of files) {
      for (const name of loadedPackages(readFileSync(file, 'utf8'))) {
        if (name.startsWith('node:') || builtins.has(name) || name in pkg.dependencies) continue;
        missing.push(`${path.relative(ROOT, file)} loads ${name}${name in pkg.devDependencies ? ' (a devDependency)' : ''}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
