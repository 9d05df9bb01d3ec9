import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAlbumManifest } from '../album/manifest/manifest';
import { PROVIDER_NAMES } from '../providers/model';
import { loadPriceTable, parsePriceOverrides, PriceFileError } from '../providers/priceFile';
import { applyPriceOverrides, DEFAULT_PRICES, estimateAlbumCredits, formatEstimateTable, priceOf } from '../providers/prices';
import { adapterFor } from '../providers/registry';

describe('default prices', () => {
  it('uses the cqt document’s published prices (upper end of its ranges)', () => {
    expect(priceOf(DEFAULT_PRICES, 'cqt', 'song')).toEqual({ credits: 30, basis: 'published' });
    expect(priceOf(DEFAULT_PRICES, 'cqt', 'stems')).toEqual({ credits: 60, basis: 'published' });
    expect(priceOf(DEFAULT_PRICES, 'cqt', 'all-stems')).toEqual({ credits: 150, basis: 'published' });
    for (const small of ['lyrics', 'wav', 'mp4', 'timestamped-lyrics', 'style'] as const) expect(priceOf(DEFAULT_PRICES, 'cqt', small)).toEqual({ credits: 4, basis: 'published' });
  });

  it('prices every step every provider offers, marking assumptions as such', () => {
    for (const provider of PROVIDER_NAMES) {
      for (const step of adapterFor(provider).capabilities) {
        const price = priceOf(DEFAULT_PRICES, provider, step);
        expect(price, `${provider} ${step}`).toBeDefined();
        expect(price!.credits).toBeGreaterThan(0);
      }
    }
    expect(priceOf(DEFAULT_PRICES, 'anyint', 'song')?.basis).toBe('assumed');
    expect(priceOf(DEFAULT_PRICES, 'cqt', 'persona')?.basis).toBe('assumed');
  });
});

describe('album estimate', () => {
  const album = {
    provider: 'cqt' as const,
    tracks: [
      { number: 1, title: 'One', steps: ['lyrics', 'song', 'persona'] as const },
      { number: 2, title: 'Two', steps: ['song', 'stems', 'wav'] as const },
      { number: 3, title: 'Three', steps: ['song'] as const },
    ],
  };

  it('sums each track’s steps and the album', () => {
    const estimate = estimateAlbumCredits(album);
    expect(estimate.perTrack.map((t) => [t.number, t.credits])).toEqual([
      [1, 4 + 30 + 4],
      [2, 30 + 60 + 4],
      [3, 30],
    ]);
    expect(estimate.total).toBe(38 + 94 + 30);
    expect(estimate.assumed).toBe(true); // the persona price
    expect(estimate.unpriced).toEqual([]);
    expect(estimate.perTrack[1]!.steps).toEqual([
      { step: 'song', credits: 30, basis: 'published' },
      { step: 'stems', credits: 60, basis: 'published' },
      { step: 'wav', credits: 4, basis: 'published' },
    ]);
  });

  it('uses operator prices over the defaults, fractions included', () => {
    const table = applyPriceOverrides(DEFAULT_PRICES, { cqt: { song: 25.5, persona: 0.4 } });
    const estimate = estimateAlbumCredits(album, table);
    expect(estimate.total).toBe(4 + 25.5 + 0.4 + 25.5 + 60 + 4 + 25.5);
    expect(estimate.assumed).toBe(false);
    expect(priceOf(table, 'cqt', 'song')).toEqual({ credits: 25.5, basis: 'override' });
    expect(priceOf(DEFAULT_PRICES, 'cqt', 'song')?.credits).toBe(30); // the defaults are not changed
  });

  it('estimates the example album from its resolved steps (persona once, no lyrics step for own lyrics)', async () => {
    const loaded = await loadAlbumManifest(path.resolve(import.meta.dirname, '..', 'examples', 'rainy-day-album.yaml'));
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const estimate = estimateAlbumCredits(loaded.album);
    const steps = estimate.perTrack.flatMap((t) => t.steps.map((s) => s.step));
    expect(steps.filter((s) => s === 'persona')).toHaveLength(1);
    expect(steps.filter((s) => s === 'song')).toHaveLength(5);
    expect(steps.filter((s) => s === 'lyrics')).toHaveLength(3);
    expect(estimate.total).toBe(estimate.perTrack.reduce((n, t) => n + t.credits, 0));
  });

  it('formats a table with a column per step used, the total, and a note on assumed prices', () => {
    const text = formatEstimateTable(estimateAlbumCredits(album));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^#\s+track\s+lyrics\s+song\s+persona\s+stems\s+wav\s+credits$/);
    expect(lines[1]).toMatch(/^1\s+One\s+4\s+30\s+4\*\s+–\s+–\s+38$/);
    expect(lines[4]).toMatch(/total \(cqt credits\)\s+162$/);
    expect(lines[5]).toContain('MUSIC_PRICES_FILE');
    // Columns line up: every row is as wide as the header's credits column ends.
    expect(new Set(lines.slice(0, 5).map((l) => l.length)).size).toBe(1);
  });
});

describe('prices file', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'prices-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads YAML or JSON named by MUSIC_PRICES_FILE, or given directly', async () => {
    await writeFile(path.join(dir, 'prices.yaml'), 'cqt:\n  song: 28\nanyint: { song: 10, wav: 0.4 }\n');
    await writeFile(path.join(dir, 'prices.json'), JSON.stringify({ acedata: { song: 7 } }));
    const fromEnv = await loadPriceTable({ env: { MUSIC_PRICES_FILE: path.join(dir, 'prices.yaml') } });
    expect(priceOf(fromEnv, 'cqt', 'song')).toEqual({ credits: 28, basis: 'override' });
    expect(priceOf(fromEnv, 'anyint', 'wav')).toEqual({ credits: 0.4, basis: 'override' });
    expect(priceOf(fromEnv, 'cqt', 'stems')?.credits).toBe(60);
    const direct = await loadPriceTable({ file: path.join(dir, 'prices.json'), env: { MUSIC_PRICES_FILE: path.join(dir, 'prices.yaml') } });
    expect(priceOf(direct, 'acedata', 'song')?.credits).toBe(7);
    expect(priceOf(direct, 'cqt', 'song')?.credits).toBe(30);
    expect(await loadPriceTable({ env: {} })).toBe(DEFAULT_PRICES);
  });

  it('names every bad entry', () => {
    let error: unknown;
    try {
      parsePriceOverrides({ spotify: { song: 1 }, cqt: { sonng: 1, song: -1, wav: 'cheap' } }, 'prices.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PriceFileError);
    const message = (error as Error).message;
    expect(message).toContain('prices prices.yaml:');
    expect(message).toContain('spotify: unknown provider');
    expect(message).toContain('cqt.sonng: unknown step');
    expect(message).toContain('cqt.song: must be at least 0');
    expect(message).toContain('cqt.wav: expected number');
  });

  it('says which variable names a missing file', async () => {
    await expect(loadPriceTable({ env: { MUSIC_PRICES_FILE: path.join(dir, 'none.yaml') } })).rejects.toThrow(`prices MUSIC_PRICES_FILE=${path.join(dir, 'none.yaml')}: no such file`);
    await writeFile(path.join(dir, 'broken.yaml'), 'cqt: [song: 1\n');
    await expect(loadPriceTable({ file: path.join(dir, 'broken.yaml') })).rejects.toThrow(/not YAML or JSON/);
  });
});
