// The folders form layers, and imports only point down: a reader can learn the project bottom-up, and a
// change to a higher layer never breaks a lower one. Type-only imports count too (they couple the
// layers as much as values do). The simulator stays independent of providers/: it is the tests'
// second opinion on every wire format, so it must not share our adapters' reading of it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Bottom to top: a file may import from its own folder and from any folder listed before it. */
const LAYERS = [
  'providers', // the wire: canonical model, typed errors, one folder per dialect
  'runtime', // configuration, project paths, external tools (ffmpeg, Temporal binaries, dev server)
  'contracts', // shapes that cross the workflow / activity / client boundary
  'metrics', // our Prometheus metrics and the /metrics endpoint (counted by callbacks/ and steps/)
  'callbacks', // signed callback tokens and the callback endpoint
  'simulator', // the local provider that speaks every dialect
  'artifacts', // files: download, verify, hash, write atomically
  'slots', // the per-provider semaphore
  'steps', // one provider step: submit once, wait for a hint or a poll, confirm
  'pipeline', // pipelines as definitions: the format, its checks, the generic workflow
  'song', // the song pipeline
  'album', // albums and batches: manifests, the album workflow, assembly
  'workflows', // the workflow entry points the worker bundles
  'activities', // every activity the worker hosts
  'workers', // the worker process
  'stack', // starting the embedded system (dev server, simulator, endpoint, worker)
  'client', // the client layer every script uses
  'chaos', // the fault-run kit
  'bench', // benchmark kits: the lightweight provider, the naive client, the figures
  'scripts', // command-line entry points
  'bin', // the installed command: a shim that runs scripts/music.ts
] as const;

const FORBIDDEN: [from: string, to: string, why: string][] = [
  ['simulator', 'providers', 'the simulator is the second opinion on the wire formats'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

function topFolder(file: string): string {
  return path.relative(ROOT, file).split(path.sep)[0]!;
}

interface LayerViolation {
  file: string;
  imports: string;
  reason: string;
}

function layerViolations(): LayerViolation[] {
  const rank = new Map<string, number>(LAYERS.map((name, index) => [name, index]));
  const violations: LayerViolation[] = [];
  for (const folder of LAYERS) {
    for (const file of sourceFiles(path.join(ROOT, folder))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.[^'"]*)['"]/g)) {
        const target = path.resolve(path.dirname(file), match[1]!);
        const to = topFolder(target);
        const relFile = path.relative(ROOT, file);
        if (to === folder) continue;
        const forbidden = FORBIDDEN.find(([f, t]) => f === folder && t === to);
        if (forbidden) violations.push({ file: relFile, imports: match[1]!, reason: forbidden[2] });
        else if (!rank.has(to)) violations.push({ file: relFile, imports: match[1]!, reason: `${to}/ is in no layer` });
        else if (rank.get(to)! > rank.get(folder)!) violations.push({ file: relFile, imports: match[1]!, reason: `${folder}/ sits below ${to}/` });
      }
    }
  }
  return violations;
}

describe('layers', () => {
  it('every import points down the layers (or stays in its folder)', () => {
    expect(layerViolations()).toEqual([]);
  });

  it('every source folder is in a layer', () => {
    const folders = readdirSync(ROOT).filter(
      (name) => statSync(path.join(ROOT, name)).isDirectory() && !name.startsWith('.') && !['node_modules', 'test', 'examples', 'out', 'docs', 'deploy'].includes(name),
    );
    expect(folders.filter((name) => !(LAYERS as readonly string[]).includes(name))).toEqual([]);
  });
});
