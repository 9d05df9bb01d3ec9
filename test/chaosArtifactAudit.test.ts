// The chaos kit compares the album made under faults with the calm one, file by file. Media must
// match byte for byte; the run's records (track.json, album.json, report.html) name task ids and
// times of their own run, and comparing them failed every chaos run once the album report existed.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareOutputs } from '../chaos/artifactAudit';

const roots: string[] = [];

async function album(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'chaos-audit-'));
  roots.push(root);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), content);
  }
  return root;
}

afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
});

describe('compareOutputs', () => {
  it('ignores the run records and finds media that differ or are missing', async () => {
    const calm = await album({
      'ep/report.html': '<p>task 1</p>',
      'ep/album.json': '{"task":1}',
      'ep/01/track.json': '{"task":1}',
      'ep/01/song.mp3': 'same',
      'ep/02/song.mp3': 'calm bytes',
      'ep/03/song.mp3': 'only calm',
    });
    const chaos = await album({
      'ep/report.html': '<p>task 2</p>',
      'ep/album.json': '{"task":2}',
      'ep/01/track.json': '{"task":2}',
      'ep/01/song.mp3': 'same',
      'ep/02/song.mp3': 'other bytes',
    });
    const result = await compareOutputs(calm, chaos);
    expect(result).toEqual({ compared: 3, missing: [path.join('ep', '03', 'song.mp3')], different: [path.join('ep', '02', 'song.mp3')] });
  });
});
