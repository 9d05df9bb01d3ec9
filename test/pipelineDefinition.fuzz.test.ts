// Bad input at the pipeline definition: thousands of seeded mutations of sound definitions (wrong
// types, missing and unknown fields, references to nowhere, loops, values out of range, odd
// strings). The check never throws: it answers a plan that could run, or problems each named by
// its path; and a plan it accepts is one the workflow can run (every step after what it reads, only
// kinds the provider offers).
import { describe, expect, it } from 'vitest';
import { planPipeline } from '../pipeline/definition/load';
import { PROVIDER_NAMES, STEP_KINDS } from '../providers/model';
import { adapterFor } from '../providers/registry';

/** A small seeded generator (mulberry32), so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  {
    name: 'full-length-song',
    steps: {
      song: { kind: 'song', prompt: 'night drive', style: 'synthwave' },
      extend: { kind: 'extend', clip: 'song', continueAt: 10, lyrics: 'la la' },
      full: { kind: 'concat', clips: ['song', 'extend'] },
      wav: { kind: 'wav', clip: 'full' },
    },
  },
  {
    name: 'mashup',
    keep: ['blend'],
    steps: {
      a: { kind: 'song', prompt: 'day', instrumental: true },
      b: { kind: 'song', prompt: 'night', instrumental: true, weights: { weirdness: 0.4 } },
      blend: { kind: 'mashup', clips: ['a', 'b'], choose: 'longest' },
      fix: { kind: 'replace-section', clip: 'blend', section: { start: 1, end: 2 }, lyrics: 'x' },
    },
  },
];

const ODD_VALUES: unknown[] = [null, true, 0, -1, 1e309, Number.NaN, '', ' ', 'x'.repeat(6000), '../../etc/passwd', 'upload:/dev/zero', '\u0000', [], {}, [1, 2], { a: 1 }, 'song', 'SONG', '💥', 31, 0.5, 2.5, -0];
const ODD_KEYS = ['kind', 'clip', 'clips', 'audio', 'lyricsFrom', 'personaFrom', 'styleFrom', 'prompt', 'lyrics', 'lyricsFile', 'continueAt', 'section', 'seconds', 'weights', 'choose', 'keep', 'steps', 'name', 'provider', 'concurrency', '__proto__', 'constructor', 'continueat', 'x'];

function pick<T>(rng: () => number, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)]!;
}

/** Paths to every value in the document, objects and arrays included. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function mutate(doc: unknown, rng: () => number): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  const rounds = 1 + Math.floor(rng() * 3);
  for (let r = 0; r < rounds; r++) {
    const all = paths(copy).filter((p) => p.length > 0);
    const target = pick(rng, all);
    let parent: any = copy;
    for (const key of target.slice(0, -1)) parent = parent[key];
    const last = target[target.length - 1]!;
    const roll = rng();
    if (roll < 0.3) parent[last] = pick(rng, ODD_VALUES);
    else if (roll < 0.45) delete parent[last];
    else if (roll < 0.6 && parent && typeof parent === 'object' && !Array.isArray(parent)) parent[pick(rng, ODD_KEYS)] = pick(rng, ODD_VALUES);
    else if (roll < 0.75) parent[last] = pick(rng, STEP_KINDS);
    else if (roll < 0.9) parent[last] = pick(rng, ['song', 'extend', 'a', 'b', 'blend', 'nowhere', 'full', 'fix']);
    else parent[last] = rng() * 1000 - 100;
  }
  return copy;
}

describe('pipeline definitions under fuzzed input', () => {
  it('never throws, names every problem by its path, and accepts only plans that can run', async () => {
    const rng = random(20261130);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 1500; i++) {
      const doc = mutate(pick(rng, SEEDS), rng);
      const provider = pick(rng, PROVIDER_NAMES);
      const result = await planPipeline(doc, { provider, baseDir: '/nonexistent-folder-for-fuzz' });
      if (!result.ok) {
        refused++;
        expect(result.errors.length, JSON.stringify(doc)).toBeGreaterThan(0);
        for (const line of result.errors) expect(line, JSON.stringify(doc)).toMatch(/^[^\s:][^:]*: \S/);
        continue;
      }
      accepted++;
      const offered = adapterFor(provider).capabilities;
      const seen = new Set<string>();
      for (const step of result.plan.steps) {
        expect(offered).toContain(step.kind);
        for (const name of step.after) expect(seen.has(name), `${step.name} runs after ${name}`).toBe(true);
        seen.add(step.name);
      }
    }
    // Both outcomes happen, or the fuzzing tests nothing.
    expect(refused).toBeGreaterThan(100);
    expect(accepted).toBeGreaterThan(10);
  });
});
