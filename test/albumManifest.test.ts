import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadAlbumManifest, parseAlbumManifest, type ResolvedAlbum } from '../album/manifest/manifest';

const examples = path.resolve(import.meta.dirname, '..', 'examples');

/** A valid manifest to break one field at a time. */
function base(): Record<string, unknown> {
  return {
    title: 'Rain',
    artist: 'The Windows',
    tracks: [
      { title: 'One', prompt: 'first song' },
      { title: 'Two', prompt: 'second song' },
      { title: 'Three', prompt: 'third song' },
      { title: 'Four', prompt: 'fourth song' },
      { title: 'Five', prompt: 'fifth song' },
    ],
  };
}

function errorsOf(manifest: unknown, options: Parameters<typeof parseAlbumManifest>[1] = {}): string[] {
  const result = parseAlbumManifest(typeof manifest === 'string' ? manifest : stringify(manifest), options);
  if (result.ok) throw new Error('expected the manifest to be refused');
  return result.errors;
}

function withTrack(index: number, track: Record<string, unknown>): Record<string, unknown> {
  const m = base();
  (m.tracks as Record<string, unknown>[])[index] = track;
  return m;
}

describe('album manifest: errors, each with its path', () => {
  const cases: [string, unknown, string[]][] = [
    ['missing title and artist', { tracks: base().tracks }, ['title: required', 'artist: required']],
    ['empty title', { ...base(), title: '  ' }, ['title: must not be empty']],
    ['artist of the wrong type', { ...base(), artist: 42 }, ['artist: expected text, got number 42']],
    ['unknown provider', { ...base(), provider: 'spotify' }, ['provider: must be one of anyint, aimusicapi, newapi, acedata, cqt (got "spotify")']],
    ['fractional year', { ...base(), year: 2024.5 }, ['year: expected a whole number, got number 2024.5']],
    ['no tracks', { ...base(), tracks: [] }, ['tracks: must list at least one item']],
    ['too many tracks', { ...base(), tracks: Array.from({ length: 101 }, (_, i) => ({ title: `T${i}`, prompt: 'p' })) }, ['tracks: must list at most 100 items (it lists 101)']],
    ['tracks is not a list', { ...base(), tracks: 'all of them' }, ['tracks: expected a list, got "all of them"']],
    ['track without title', withTrack(2, { prompt: 'p' }), ['tracks[3].title: required']],
    ['track without prompt or lyrics file', withTrack(2, { title: 'Three' }), ['tracks[3]: needs prompt or lyricsFile']],
    ['instrumental track without prompt', withTrack(1, { title: 'Two', instrumental: true }), ['tracks[2]: needs prompt (an instrumental track is described by its prompt)']],
    ['lyrics file on an instrumental', withTrack(0, { title: 'One', prompt: 'p', instrumental: true, lyricsFile: 'one.txt' }), ['tracks[1].lyricsFile: not allowed on an instrumental track (the track is instrumental)']],
    [
      'lyrics file when the defaults make every track instrumental',
      { ...withTrack(3, { title: 'Four', prompt: 'p', lyricsFile: 'four.txt' }), defaults: { instrumental: true } },
      ['tracks[4].lyricsFile: not allowed on an instrumental track (defaults.instrumental is true)'],
    ],
    ['lyrics file with neither prompt nor style', withTrack(3, { title: 'Four', lyricsFile: 'four.txt' }), ['tracks[4].style: required when the track has lyricsFile and no prompt (or set defaults.style)']],
    ['misspelt field', withTrack(1, { title: 'Two', prompt: 'p', lyricfile: 'x.txt' }), ['tracks[2].lyricfile: unknown field (did you mean lyricsFile?)']],
    ['unknown top-level field', { ...base(), colour: 'blue' }, ['colour: unknown field']],
    ['steps without song', withTrack(4, { title: 'Five', prompt: 'p', steps: ['lyrics', 'wav'] }), ['tracks[5].steps: must include song (every other step works on its clip)']],
    ['a step twice', withTrack(4, { title: 'Five', prompt: 'p', steps: ['song', 'wav', 'wav'] }), ['tracks[5].steps: lists wav twice']],
    ['unknown step', withTrack(4, { title: 'Five', prompt: 'p', steps: ['song', 'karaoke'] }), [
      'tracks[5].steps[2]: must be one of lyrics, song, persona, stems, all-stems, wav, mp4, cover-art, timestamped-lyrics (got "karaoke")',
    ]],
    ['instrumental as a word', withTrack(0, { title: 'One', prompt: 'p', instrumental: 'yes' }), ['tracks[1].instrumental: expected true or false, got "yes" (write true or false, unquoted)']],
    ['defaults.steps without song', { ...base(), defaults: { steps: ['lyrics'] } }, ['defaults.steps: must include song (every other step works on its clip)']],
    ['model twice, differently', { ...base(), model: 'v5', defaults: { model: 'v4' } }, ['defaults.model: conflicts with model "v5"; set only one of them']],
    ['persona from a track that does not exist', { ...base(), persona: { strategy: 'from-track', track: 7 } }, ['persona.track: no track 7 (the album has 5)']],
    ['persona from track 0', { ...base(), persona: { strategy: 'from-track', track: 0 } }, ['persona.track: no track 0 (the album has 5)']],
    ['persona from a title no track has', { ...base(), persona: { strategy: 'from-track', track: 'Seven' } }, ['persona.track: no track titled "Seven"']],
    [
      'persona from an instrumental track',
      { ...withTrack(1, { title: 'Two', prompt: 'p', instrumental: true }), persona: { strategy: 'from-track', track: 'two' } },
      ['persona.track: track 2 is instrumental; a persona needs a track with vocals'],
    ],
    [
      'persona from a title two tracks share',
      { ...withTrack(1, { title: 'One', prompt: 'p' }), persona: { strategy: 'from-track', track: 'One' } },
      ['persona.track: 2 tracks are titled "One" (tracks 1, 2); name it by number'],
    ],
    ['persona without track', { ...base(), persona: { strategy: 'from-track' } }, ['persona.track: required']],
    ['persona with an unknown strategy', { ...base(), persona: { strategy: 'clone' } }, ['persona.strategy: must be one of from-track, given, none (got "clone")']],
    ['persona without strategy', { ...base(), persona: {} }, ['persona.strategy: required (one of from-track, given, none)']],
    ['given persona without id', { ...base(), persona: { strategy: 'given' } }, ['persona.personaId: required']],
    ['concurrency too high', { ...base(), concurrency: 17 }, ['concurrency: must be at most 16 (got 17)']],
    ['concurrency zero', { ...base(), concurrency: 0 }, ['concurrency: must be at least 1 (got 0)']],
    ['retry without attempts', { ...base(), failurePolicy: { mode: 'retry' } }, ['failurePolicy.attempts: required']],
    ['retry as one word, without attempts', { ...base(), failurePolicy: 'retry' }, ['failurePolicy.attempts: required']],
    ['persona as an unknown word', { ...base(), persona: 'clone' }, ['persona: expected a mapping, got "clone"']],
    ['retry too often', { ...base(), failurePolicy: { mode: 'retry', attempts: 6 } }, ['failurePolicy.attempts: must be at most 5 (got 6)']],
    ['unknown failure mode', { ...base(), failurePolicy: { mode: 'ignore' } }, ['failurePolicy.mode: must be one of retry, skip, fail-album (got "ignore")']],
    ['budget of zero', { ...base(), budget: 0 }, ['budget: must be greater than 0 (got 0)']],
    ['loudness out of range', { ...base(), loudness: { targetLufs: -3 } }, ['loudness.targetLufs: must be at most -5 (got -3)']],
    ['bad album id', { ...base(), id: 'My Album!' }, ['id: must be lowercase letters, digits and dashes (at most 63)']],
  ];

  it.each(cases)('%s', (_name, manifest, expected) => {
    expect(errorsOf(manifest)).toEqual(expected);
  });

  it('lists every error of a manifest at once, not only the first', () => {
    const manifest = {
      title: '',
      provider: 'spotify',
      concurrency: 99,
      persona: { strategy: 'from-track', track: 9 },
      tracks: [{ title: 'One', prompt: 'p' }, { title: 'Two' }, { prompt: 'p', style: 3 }, { title: 'Four', lyricsFile: 'x.txt', instrumental: true }],
    };
    expect(errorsOf(manifest)).toEqual([
      'title: must not be empty',
      'artist: required',
      'provider: must be one of anyint, aimusicapi, newapi, acedata, cqt (got "spotify")',
      'concurrency: must be at most 16 (got 99)',
      'persona.track: no track 9 (the album has 4)',
      'tracks[2]: needs prompt or lyricsFile',
      'tracks[3].title: required',
      'tracks[3].style: expected text, got number 3',
      'tracks[4]: needs prompt (an instrumental track is described by its prompt)',
      'tracks[4].lyricsFile: not allowed on an instrumental track (the track is instrumental)',
    ]);
  });

  it('names track, provider and step when the provider lacks a step', () => {
    const manifest = {
      ...base(),
      provider: 'aimusicapi',
      defaults: { steps: ['song', 'stems'] },
      tracks: [
        { title: 'One', prompt: 'p' },
        { title: 'Two', prompt: 'p', steps: ['lyrics', 'song', 'wav'] },
        { title: 'Three', prompt: 'p', steps: ['song'] },
      ],
    };
    expect(errorsOf(manifest)).toEqual([
      'defaults.steps: provider aimusicapi does not offer the stems step (asked for by track 1; it offers song)',
      'tracks[2].steps: provider aimusicapi does not offer the steps lyrics, wav (track 2 "Two")',
    ]);
  });

  it('refuses a persona strategy on a provider without personas', () => {
    expect(errorsOf({ ...base(), provider: 'newapi', persona: { strategy: 'given', personaId: 'p-1' } })).toEqual([
      'persona.strategy: provider newapi does not offer personas (the persona step); use strategy none or another provider',
    ]);
  });

  it('checks capabilities against the default provider when the manifest names none', () => {
    const manifest = withTrack(0, { title: 'One', prompt: 'p', steps: ['song', 'cover-art'] });
    expect(parseAlbumManifest(stringify(manifest)).ok).toBe(true);
    expect(errorsOf(manifest, { defaultProvider: 'acedata' })).toEqual(['tracks[1].steps: provider acedata does not offer the cover-art step (track 1 "One")']);
  });

  it('reports YAML syntax errors with file, line and column', () => {
    expect(errorsOf('title: Rain\nartist: [unclosed\n', { file: 'album.yaml' })).toEqual([expect.stringMatching(/^album\.yaml:3:1: /)]);
    expect(errorsOf('title: A\ntitle: B\n', { file: 'album.yaml' })).toEqual(['album.yaml:2:1: Map keys must be unique']);
  });

  it('refuses an empty document and one that is not a mapping', () => {
    expect(errorsOf('')).toEqual(['(manifest): the manifest is empty (it needs title, artist and tracks)']);
    expect(errorsOf('- a\n- b\n')).toEqual(['(manifest): expected a mapping with title, artist and tracks']);
  });
});

describe('album manifest: valid ones', () => {
  it('fills in persona none, concurrency 4 and failure policy skip', () => {
    const result = parseAlbumManifest(stringify(base()));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.provider).toBe('anyint');
    expect(result.album).toMatchObject({ persona: { strategy: 'none' }, concurrency: 4, failurePolicy: { mode: 'skip' } });
  });

  it('reads JSON as well as YAML, and a failure policy written as one word', () => {
    const result = parseAlbumManifest(JSON.stringify({ ...base(), failurePolicy: 'fail-album', persona: 'none', provider: 'cqt', budget: 250.5 }));
    expect(result.ok && result.album).toMatchObject({ failurePolicy: { mode: 'fail-album' }, persona: { strategy: 'none' }, provider: 'cqt', budget: 250.5 });
  });

  it('accepts every persona strategy', () => {
    for (const persona of [{ strategy: 'none' }, { strategy: 'given', personaId: 'abc' }, { strategy: 'from-track', track: 2 }, { strategy: 'from-track', track: 'Three' }]) {
      expect(parseAlbumManifest(stringify({ ...base(), persona })).ok).toBe(true);
    }
  });
});

describe('loading a manifest file', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'album-manifest-'));
    await mkdir(path.join(dir, 'lyrics'));
    await writeFile(path.join(dir, 'lyrics', 'good.txt'), '\uFEFF[Verse]\r\nSinging in the rain\r\n\r\n');
    await writeFile(path.join(dir, 'lyrics', 'empty.txt'), '  \n\n');
    await writeFile(path.join(dir, 'lyrics', 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    await writeFile(path.join(dir, 'lyrics', 'long.txt'), 'la '.repeat(2000));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function load(manifest: unknown, name = 'album.yaml') {
    await writeFile(path.join(dir, name), stringify(manifest));
    return loadAlbumManifest(path.join(dir, name));
  }

  it('lists every bad lyrics file with its path and reason', async () => {
    const manifest = {
      ...base(),
      defaults: { style: 'folk' },
      tracks: [
        { title: 'One', lyricsFile: 'lyrics/good.txt' },
        { title: 'Two', lyricsFile: 'lyrics/missing.txt' },
        { title: 'Three', lyricsFile: 'lyrics/empty.txt' },
        { title: 'Four', lyricsFile: 'lyrics/latin1.txt' },
        { title: 'Five', lyricsFile: 'lyrics/long.txt' },
        { title: 'Six', lyricsFile: 'lyrics' },
      ],
    };
    const result = await load(manifest);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      `tracks[2].lyricsFile: lyrics/missing.txt: no such file (looked for ${path.join(dir, 'lyrics', 'missing.txt')})`,
      'tracks[3].lyricsFile: lyrics/empty.txt: is empty',
      'tracks[4].lyricsFile: lyrics/latin1.txt: is not UTF-8 text',
      'tracks[5].lyricsFile: lyrics/long.txt: has 5999 characters; providers accept at most 5000',
      'tracks[6].lyricsFile: lyrics: is a folder, not a file',
    ]);
  });

  it('names a manifest file that is not there', async () => {
    const result = await loadAlbumManifest(path.join(dir, 'nope.yaml'));
    expect(result).toEqual({ ok: false, errors: [`${path.join(dir, 'nope.yaml')}: no such file`] });
  });

  it('resolves effective settings: defaults, numbers, folders, steps, persona roles, a stable id', async () => {
    const manifest = {
      title: 'Rainy Days: Vol. 2',
      artist: 'The Windows',
      provider: 'anyint',
      model: 'V4_5',
      defaults: { style: 'indie folk', steps: ['lyrics', 'song', 'cover-art', 'timestamped-lyrics'] },
      persona: { strategy: 'from-track', track: 'Two' },
      concurrency: 2,
      tracks: [
        { title: 'One', prompt: 'first' },
        { title: 'Two', prompt: 'second', style: 'waltz' },
        { title: 'Three: The "Storm"', lyricsFile: 'lyrics/good.txt' },
        { title: 'Four', prompt: 'instrumental break', instrumental: true },
        { title: 'Five', prompt: 'fifth', steps: ['song', 'persona', 'stems'] },
      ],
    };
    const result = await load(manifest);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const album: ResolvedAlbum = result.album;
    expect(album).toMatchObject({ title: 'Rainy Days: Vol. 2', provider: 'anyint', model: 'V4_5', concurrency: 2, persona: { strategy: 'from-track', track: 2 }, manifestFile: path.join(dir, 'album.yaml') });
    expect(album.id).toMatch(/^rainy-days-vol-2-[0-9a-f]{6}$/);
    expect(album.tracks.map((t) => [t.number, t.dirName, t.fileStem, t.persona, t.steps])).toEqual([
      [1, '01-one', '01 - One', 'sings-with', ['lyrics', 'song', 'cover-art', 'timestamped-lyrics']],
      [2, '02-two', '02 - Two', 'makes', ['lyrics', 'song', 'persona', 'cover-art', 'timestamped-lyrics']],
      // Own lyrics: no lyrics step is paid for.
      [3, '03-three-the-storm', "03 - Three - The 'Storm'", 'sings-with', ['song', 'cover-art', 'timestamped-lyrics']],
      // Instrumental: no lyrics, persona or timed lyrics.
      [4, '04-four', '04 - Four', 'none', ['song', 'cover-art']],
      // Sings with the album's persona, so its own persona step is dropped.
      [5, '05-five', '05 - Five', 'sings-with', ['song', 'stems']],
    ]);
    const three = album.tracks[2]!;
    expect(three).toMatchObject({ lyrics: '[Verse]\nSinging in the rain', lyricsFile: path.join(dir, 'lyrics', 'good.txt'), style: 'indie folk', prompt: 'indie folk', instrumental: false });
    expect(album.tracks[1]).toMatchObject({ style: 'waltz', prompt: 'second' });
    // The same title and artist always name the same album; another artist's album of that title does not.
    const again = await load(manifest, 'again.yaml');
    expect(again.ok && again.album.id).toBe(album.id);
    const other = await load({ ...manifest, artist: 'Someone Else' }, 'other.yaml');
    expect(other.ok && other.album.id).not.toBe(album.id);
    const explicit = await load({ ...manifest, id: 'my-album' }, 'explicit.yaml');
    expect(explicit.ok && explicit.album.id).toBe('my-album');
  });

  it('asks for everything the provider offers except persona when no steps are listed', async () => {
    const cqt = await load({ ...base(), provider: 'cqt' }, 'cqt.yaml');
    expect(cqt.ok && cqt.album.tracks[0]!.steps).toEqual(['lyrics', 'song', 'stems', 'all-stems', 'wav', 'mp4', 'cover-art', 'timestamped-lyrics']);
    const aimusicapi = await load({ ...base(), provider: 'aimusicapi' }, 'aimusicapi.yaml');
    expect(aimusicapi.ok && aimusicapi.album.tracks[0]!.steps).toEqual(['song']);
  });

  it('gives every vocal track the persona of a given id', async () => {
    const result = await load({ ...withTrack(2, { title: 'Three', prompt: 'p', instrumental: true }), persona: { strategy: 'given', personaId: 'persona-1' } }, 'given.yaml');
    expect(result.ok && result.album.tracks.map((t) => t.persona)).toEqual(['sings-with', 'sings-with', 'none', 'sings-with', 'sings-with']);
  });
});

describe('the example albums', () => {
  it('rainy-day-album.yaml: 5 tracks on anyint, persona from track 1, concurrency 2, mixed steps', async () => {
    const result = await loadAlbumManifest(path.join(examples, 'rainy-day-album.yaml'));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const album = result.album;
    expect(album).toMatchObject({ provider: 'anyint', concurrency: 2, persona: { strategy: 'from-track', track: 1 } });
    expect(album.tracks).toHaveLength(5);
    expect(album.tracks[0]!.persona).toBe('makes');
    expect(album.tracks.filter((t) => t.persona === 'sings-with').map((t) => t.number)).toEqual([2, 3, 5]);
    expect(new Set(album.tracks.map((t) => t.steps.join(','))).size).toBeGreaterThan(2);
    expect(album.tracks[2]!.lyrics).toContain('Umbrella for two');
  });

  it('instrumental-ep.yaml: 3 instrumentals on acedata, mastered to -14 LUFS', async () => {
    const result = await loadAlbumManifest(path.join(examples, 'instrumental-ep.yaml'));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.album).toMatchObject({ provider: 'acedata', loudness: { targetLufs: -14 }, persona: { strategy: 'none' } });
    expect(result.album.tracks.map((t) => t.instrumental)).toEqual([true, true, true]);
  });
});
