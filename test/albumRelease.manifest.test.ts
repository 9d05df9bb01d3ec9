// The manifest's release section: every kind of mistake named with its path, the codes checked for
// their shape and check digit, and a good section carried into the resolved album.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadAlbumManifest, parseAlbumManifest } from '../album/manifest/manifest';
import { isrcProblem, upcProblem } from '../album/release/identifiers';

const disclosure = { vocals: true, instrumentation: true, composition: true, lyrics: false, postProduction: false };

function album(release: Record<string, unknown> | undefined, tracks: Record<string, unknown>[] = [{}, {}, {}]): Record<string, unknown> {
  return {
    title: 'Rain',
    artist: 'The Windows',
    tracks: tracks.map((extra, i) => ({ title: `Song ${i + 1}`, prompt: 'a song', ...extra })),
    ...(release ? { release } : {}),
  };
}

function errorsOf(manifest: unknown): string[] {
  const result = parseAlbumManifest(typeof manifest === 'string' ? manifest : stringify(manifest));
  if (result.ok) throw new Error('expected the manifest to be refused');
  return result.errors;
}

describe('UPC and ISRC codes', () => {
  it('takes 12- and 13-digit codes with a valid GS1 check digit, and names the expected digit of a typo', () => {
    expect(upcProblem('036000291452')).toBeUndefined(); // UPC-A
    expect(upcProblem('4006381333931')).toBeUndefined(); // EAN-13
    expect(upcProblem('036000291453')).toBe('check digit is 3, expected 2 (a typo in the code?)');
    expect(upcProblem('12345')).toBe('must be 12 or 13 digits (it has 5)');
    expect(upcProblem('03600029145A')).toMatch(/must be 12 or 13 digits/);
  });

  it('takes an ISRC with or without hyphens, in either case, and refuses other shapes', () => {
    for (const good of ['US-RC1-76-07839', 'USRC17607839', 'gbayE0601498']) expect(isrcProblem(good), good).toBeUndefined();
    for (const bad of ['US-RC1-76-0783', 'U1-RC1-76-07839', 'USRC1760783X', '']) expect(isrcProblem(bad), bad).toMatch(/must be an ISRC like CC-XXX-YY-NNNNN/);
  });
});

describe('album manifest: release section errors, each with its path', () => {
  it('names a bad UPC, a bad date, a missing disclosure answer and an unknown field', () => {
    const errors = errorsOf(album({ upc: '036000291453', releaseDate: '2026-13-01', aiDisclosure: { vocals: true, instrumentation: true, composition: 'yes', lyrics: false }, labl: 'X' }));
    expect(errors).toContain('release.upc: check digit is 3, expected 2 (a typo in the code?)');
    expect(errors).toContain('release.releaseDate: must be a date written YYYY-MM-DD');
    expect(errors.some((e) => e.startsWith('release.aiDisclosure.composition: '))).toBe(true);
    expect(errors.some((e) => e.startsWith('release.aiDisclosure.postProduction: required'))).toBe(true);
    expect(errors.some((e) => e.startsWith('release.labl: ') && /label/.test(e))).toBe(true);
  });

  it('requires the AI disclosure when there is a release section', () => {
    expect(errorsOf(album({ label: 'Rainy Records' }))).toEqual(['release.aiDisclosure: required']);
  });

  it('asks for a code written as a number to be quoted (YAML drops its leading zeros)', () => {
    const text = stringify(album({ aiDisclosure: disclosure })).replace('release:\n', 'release:\n  upc: 036000291452\n');
    expect(errorsOf(text)).toEqual(['release.upc: write the code in quotes (as a number, YAML drops its leading zeros)']);
  });

  it('names a bad ISRC and a non-boolean explicit flag by track, counting from 1', () => {
    const errors = errorsOf(album({ aiDisclosure: disclosure }, [{ isrc: 'US-RC1-76-07839' }, { isrc: 'USRC1760783', explicit: 'no' }, {}]));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^tracks\[2\]\.isrc: must be an ISRC like CC-XXX-YY-NNNNN.*"USRC1760783"/);
    expect(errors[1]).toMatch(/^tracks\[2\]\.explicit: /);
  });
});

describe('album manifest: a good release section', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'album-release-manifest-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is carried into the resolved album, the cover made absolute from the manifest folder', async () => {
    const file = path.join(dir, 'album.yaml');
    const release = { label: 'Rainy Records', upc: '036000291452', releaseDate: '2026-12-01', phonographicCopyright: '2026 Rainy Records', copyright: '2026 The Windows', aiDisclosure: disclosure, cover: 'art/cover.jpg' };
    await writeFile(file, stringify(album(release, [{ isrc: 'US-RC1-76-07839', explicit: true }, { isrc: 'USRC17607840' }, {}])));
    const loaded = await loadAlbumManifest(file);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    expect(loaded.album.release).toEqual({ ...release, cover: path.join(dir, 'art', 'cover.jpg') });
    expect(loaded.album.tracks.map((t) => [t.number, t.isrc, t.explicit])).toEqual([
      [1, 'US-RC1-76-07839', true],
      [2, 'USRC17607840', undefined],
      [3, undefined, undefined],
    ]);
  });
});
