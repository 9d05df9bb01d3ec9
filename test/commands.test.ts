// The installed `music` command, as a shell runs it (`node bin/music.js …`, the file package.json's
// "bin" names): it lists every command, dispatches to each script with the script's own --help and
// exit codes, and prints completion scripts that bash accepts. The command table behind completion is
// compared with each script's own --help, so an option added to a script cannot be left out of it.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../scripts/commands';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(PROJECT, 'bin/music.js');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: PROJECT, env: { ...process.env, NO_COLOR: '1', ...extraEnv }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const music = (args: string[], env: Record<string, string> = {}) => run(process.execPath, [BIN, ...args], env);

/** Options a commander --help lists (the long form of each), without --help itself. */
function helpOptions(help: string): string[] {
  const options = [...help.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!);
  return options.filter((o) => o !== '--help').sort();
}

describe('music', () => {
  it('is the bin of the package, and --help lists every command', async () => {
    const pkg = JSON.parse(readFileSync(path.join(PROJECT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ music: 'bin/music.js' });
    const out = await music(['--help']);
    expect(out.code).toBe(0);
    for (const c of COMMANDS) expect(out.stdout).toMatch(new RegExp(`^ {2}${c.name} +\\S`, 'm'));
    expect(out.stdout).toMatch(/Exit codes: 0 success, 1 failed, 2 bad input, 3 partial, 4 needs attention, 130 interrupted/);
  });

  it("lists in its table exactly the options each script's own --help lists", async () => {
    // A few at a time: each is a Node start on a loaded machine.
    const pending = [...COMMANDS];
    const mismatches: string[] = [];
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        for (let c = pending.shift(); c; c = pending.shift()) {
          const out = await music([c.name, '--help']);
          expect(out.code, `${c.name} --help: ${out.stderr}`).toBe(0);
          expect(out.stdout, c.name).toMatch(/^Usage: /);
          const listed = helpOptions(out.stdout);
          if (JSON.stringify(listed) !== JSON.stringify([...c.options].sort())) mismatches.push(`${c.name}: --help lists ${listed.join(' ')}; scripts/commands.ts lists ${[...c.options].sort().join(' ')}`);
        }
      }),
    );
    expect(mismatches).toEqual([]);
  }, 600_000);

  it('help <command> is <command> --help; an unknown command exits 2 naming the commands', async () => {
    const help = await music(['help', 'batch']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: batch/);
    // Commander appends the default itself: the text must not say it a second time.
    expect(help.stdout.match(/default:? 2/g)).toEqual(['default: 2']);
    const unknown = await music(['sing']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "sing"; the commands are: song, pipeline, album, batch, status, list, show/);
  });

  it('exits 2 for bad input to a script, with no output on stdout', async () => {
    const out = await music(['song', '--prompt', 'rain', '--tempo', 'fast']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/unknown option '--tempo'/);
    expect(out.stdout).toBe('');
    const resolve = await music(['resolve', 'song-x', '--resubmit', '--abandon']);
    expect(resolve.code).toBe(2);
    expect(resolve.stderr).toMatch(/give only one of --task-id, --persona-id, --resubmit, --abandon/);
  });

  it('prints a bash completion script that bash accepts and that completes commands, options and provider names', async () => {
    const out = await music(['completion', 'bash']);
    expect(out.code).toBe(0);
    const syntax = await run('bash', ['-n', '-c', out.stdout]);
    expect(syntax.code, syntax.stderr).toBe(0);
    // Ask the function itself, as bash does on Tab.
    const complete = (line: string) =>
      run('bash', ['-c', `${out.stdout}\nCOMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _music; printf '%s\\n' "\${COMPREPLY[@]}"`]);
    expect((await complete('music st')).stdout.split('\n').filter(Boolean).sort()).toEqual(['start', 'status']);
    expect((await complete('music song --pro')).stdout.trim().split('\n')).toEqual(['--prompt', '--provider']);
    expect((await complete('music list --provider a')).stdout.trim().split('\n')).toEqual(['anyint', 'aimusicapi', 'acedata']);
    expect((await complete('music list --state need')).stdout.trim()).toBe('needs-attention');
  });

  it('prints a zsh completion script, and refuses a shell it does not know with exit 2', async () => {
    const zsh = await music(['completion', 'zsh']);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef music/);
    expect(zsh.stdout).toContain('compdef _music music');
    expect(zsh.stdout).toMatch(/song\)\n\s+opts=\(--prompt /);
    const fish = await music(['completion', 'fish']);
    expect(fish.code).toBe(2);
    expect(fish.stderr).toMatch(/music completion bash/);
  });

  it('list --no-start, with no server running, says where the runs are (or that there are none) instead of starting one', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = String((probe.address() as { port: number }).port);
    await new Promise((resolve) => probe.close(resolve));
    // An empty configuration file of its own, so that a developer's music.config.json cannot point elsewhere.
    const config = path.join(tmpdir(), `music-config-${process.pid}.json`);
    writeFileSync(config, '{}');
    const out = await music(['list', '--no-start'], { TEMPORAL_PORT: port, TEMPORAL_ADDRESS: '', MUSIC_CONFIG: config });
    rmSync(config);
    if (existsSync(path.join(PROJECT, '.data/temporal.db'))) {
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/the embedded Temporal server is not running; its runs are in .*temporal\.db: run this command without --no-start/);
    } else {
      expect(out.code).toBe(0);
      expect(out.stderr).toMatch(/no runs yet/);
    }
    expect(out.stdout).toBe('');
  });
});
