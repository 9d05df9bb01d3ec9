// The optional configuration file: its keys are the environment variables, the environment wins over
// it and the project's file over the home folder's, and every mistake is refused naming the key and
// the file. Real files in a scratch folder, read through loadConfig as the commands read them.
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../runtime/config';
import { configFiles } from '../runtime/configFile';

let scratch: string;
let n = 0;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'config-file-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function file(content: unknown): Promise<string> {
  const f = path.join(scratch, `config-${n++}.json`);
  await writeFile(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}

describe('configuration file', () => {
  it('sets what the environment does not, with numbers and booleans spelt as JSON', async () => {
    const f = await file({ MUSIC_PROVIDER: 'acedata', CALLBACK_PORT: 9999, CALLBACKS: false, OUT_DIR: '/music/out' });
    const config = loadConfig({}, { configFiles: [f] });
    expect(config.provider).toBe('acedata');
    expect(config.callbacks.port).toBe(9999);
    expect(config.callbacks.enabled).toBe(false);
    expect(config.outDir).toBe('/music/out');
  });

  it('loses to the environment, and the later file (the project) wins over the earlier (home)', async () => {
    const home = await file({ MUSIC_PROVIDER: 'cqt', OUT_DIR: '/home-out', SIMULATOR_PORT: 1111 });
    const project = await file({ MUSIC_PROVIDER: 'newapi', OUT_DIR: '/project-out' });
    const config = loadConfig({ OUT_DIR: '/env-out' }, { configFiles: [home, project] });
    expect(config.outDir).toBe('/env-out');
    expect(config.provider).toBe('newapi');
    expect(config.simulatorPort).toBe(1111);
    // An empty variable counts as unset, as it does without a file.
    expect(loadConfig({ OUT_DIR: '' }, { configFiles: [project] }).outDir).toBe('/project-out');
  });

  it('names the key and the file of a bad value', async () => {
    const f = await file({ CALLBACK_PORT: 'eighty' });
    expect(() => loadConfig({}, { configFiles: [f] })).toThrow(new RegExp(`CALLBACK_PORT \\(in ${f.replace(/[.]/g, '\\.')}\\)`));
    // The same value from the environment names no file.
    expect(() => loadConfig({ CALLBACK_PORT: 'eighty' }, { configFiles: [loadable({})] })).toThrow(/CALLBACK_PORT: /);
  });

  it('refuses unknown keys (suggesting the spelling it knows), values that are not scalars, and files that are not a JSON object', async () => {
    expect(() => loadConfig({}, { configFiles: [loadable({ out_dir: 'x' })] })).toThrow(/out_dir: unknown key \(did you mean OUT_DIR\?\)/);
    expect(() => loadConfig({}, { configFiles: [loadable({ MUSIC_PROVIDR: 'x' })] })).toThrow(/MUSIC_PROVIDR: unknown key \(did you mean MUSIC_PROVIDER\?\)/);
    const unknown = await file({ TEMPO: 'fast' });
    expect(() => loadConfig({}, { configFiles: [unknown] })).toThrow(new RegExp(`${unknown.replace(/[.]/g, '\\.')}[\\s\\S]*TEMPO: unknown key`));
    expect(() => loadConfig({}, { configFiles: [loadable({ OUT_DIR: ['a'] })] })).toThrow(/OUT_DIR: must be a string, a number or true\/false/);
    expect(() => loadConfig({}, { configFiles: [loadable('{ "OUT_DIR": ')] })).toThrow(/not a JSON file/);
    expect(() => loadConfig({}, { configFiles: [loadable('[1, 2]')] })).toThrow(/must hold one JSON object/);
  });

  it('keeps an API key out of the message about it', async () => {
    const f = await file({ ANYINT_API_KEY: 'sk-very-secret-from-file' });
    let message = '';
    try {
      loadConfig({}, { configFiles: [f] });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/ANYINT_BASE_URL: required when ANYINT_API_KEY \(in .*\) is set/);
    expect(message).not.toContain('sk-very-secret');
  });

  it('is looked for in the home folder, then the current folder; MUSIC_CONFIG names the only file, which must exist', async () => {
    expect(configFiles({}, '/work/project', '/home/me')).toEqual({ files: ['/home/me/.music.config.json', '/work/project/music.config.json'], required: false });
    expect(configFiles({ MUSIC_CONFIG: 'conf/music.json' }, '/work/project', '/home/me')).toEqual({ files: ['/work/project/conf/music.json'], required: true });
    // A missing file is no error unless MUSIC_CONFIG named it (loadConfig() with no arguments reads these).
    expect(loadConfig({}, { configFiles: [path.join(scratch, 'absent.json')] }).provider).toBe('anyint');
  });
});

/** A file written at once, for expectations that fit on one line. */
function loadable(content: unknown): string {
  const f = path.join(scratch, `sync-${n++}.json`);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}
