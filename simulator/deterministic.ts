// Everything the simulator invents (ids, melodies, colours, words) comes from here, so that two
// runs with the same seed and the same sequence of requests produce identical ids and bytes.

import { createHash } from 'node:crypto';

function digest(...parts: (string | number)[]): Buffer {
  // NUL separators keep ('ab','c') and ('a','bc') from colliding.
  return createHash('sha256').update(parts.join('\0')).digest();
}

/**
 * 32 lowercase hex characters, like the family's task ids. The id depends on what was asked, not
 * on when: concurrent runs submit in a different order every time, and a run with faults must
 * still get the same ids (and so the same media) as one without. `occurrence` tells apart
 * identical requests (the second identical submit is a second, different task).
 */
export function taskIdFor(seed: string, identity: string, occurrence: number): string {
  return digest(seed, 'task', identity, occurrence).toString('hex').slice(0, 32);
}

/** Fields that say where to call back: they carry per-run tokens, not what was asked for. */
const CALLBACK_FIELD = /call_?back|notify|hook/i;

/** What a request asks for, as text: the route and the body with keys sorted and webhooks left out. */
export function requestIdentity(route: string, request: unknown): string {
  const body =
    typeof request === 'object' && request !== null && !Array.isArray(request)
      ? Object.fromEntries(Object.entries(request).filter(([key]) => !CALLBACK_FIELD.test(key)))
      : request;
  return `${route}\0${canonicalJson(body)}`;
}

/** JSON with object keys sorted, so two bodies that say the same thing compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A UUID-shaped clip id (the family's clip ids are UUIDs). */
export function clipIdFor(taskId: string, clipIndex: number): string {
  const hex = digest(taskId, 'clip', clipIndex).toString('hex');
  // Version 4 / variant bits make it a well-formed UUID for clients that validate the format.
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, bound). */
  int(bound: number): number;
  pick<T>(items: readonly T[]): T;
}

/**
 * A small deterministic generator (mulberry32) seeded from a sha256 of the label.
 * Integer-only arithmetic, so the sequence is the same on every platform.
 */
export function seededRandom(...label: (string | number)[]): SeededRandom {
  let state = digest(...label).readUInt32LE(0);
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (bound: number): number => Math.floor(next() * bound);
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(items.length)] as T;
    },
  };
}
