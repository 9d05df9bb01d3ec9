// Two flags of `npm run song` that answered a user wrongly: `--review 0` was refused as not "between
// 0 and 10080", and `--steps song,extend` said only "unknown step(s) extend" although `npm run
// providers` lists extend as offered. The command runs as a user runs it, with TEMPORAL_ADDRESS at a
// closed port: input that passes every check ends at "no Temporal server answers", which proves the
// flags were accepted.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { closedLoopbackAddress } from './helpers/closedAddress';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
let closedAddress: string;

beforeAll(async () => {
  closedAddress = await closedLoopbackAddress();
});

function song(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(MUSIC_|CALLBACK|TEMPORAL_|SIMULATOR_|OUT_DIR$)|_(BASE_URL|API_KEY)$/.test(key)) continue;
    env[key] = value;
  }
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/song.ts', ...args], { cwd: PROJECT, env: { ...env, TEMPORAL_ADDRESS: closedAddress }, timeout: 60_000 }, (error, _stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
    );
  });
}

describe('npm run song flags', () => {
  it('--review 0 means no review and is accepted', async () => {
    const { stderr } = await song(['--prompt', 'rain', '--review', '0', '--out', '/tmp']);
    expect(stderr).not.toMatch(/--review/);
    expect(stderr).toMatch(/no Temporal server answers/);
  }, 90_000);

  it('--review below 0 or past a week is refused with the range it takes', async () => {
    for (const minutes of ['-1', '10081']) {
      const { code, stderr } = await song(['--prompt', 'rain', '--review', minutes]);
      expect(code).not.toBe(0); // commander's own exit for a flag it refuses
      expect(stderr).toMatch(/--review takes a number of minutes from 0 \(no review\) to 10080/);
    }
  }, 120_000);

  it('--steps with a transform says which steps song takes and that transforms run through npm run pipeline', async () => {
    const { code, stderr } = await song(['--prompt', 'rain', '--steps', 'song,extend,remaster']);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/unknown step\(s\) extend, remaster; song takes: lyrics, song, persona, stems, all-stems, wav, mp4, cover-art, timestamped-lyrics/);
    expect(stderr).toMatch(/extend, remaster are transforms of a finished song: run them with `npm run pipeline` \(see docs\/pipelines\.md\)/);
  }, 90_000);
});
