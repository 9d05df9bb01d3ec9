// `music <command> [options]`: the installed command (package.json "bin", through bin/music.js).
// Each command is one of our scripts, loaded in this same process with the arguments after the
// command's name: no second process, so Ctrl-C and exit codes reach the script as they would under
// `npm run <command>`.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { completionScript } from '../client/completion';
import { COMMANDS, type CommandSpec } from './commands';
import { EXIT } from '../client/exitCodes';

const SCRIPTS = path.dirname(fileURLToPath(import.meta.url));

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  const groups = [...new Set(COMMANDS.map((c) => c.group))];
  const lines = ['Usage: music <command> [options]', '', 'Durable music pipelines on Temporal.', ''];
  for (const group of groups) {
    lines.push(`${group}:`);
    for (const c of COMMANDS.filter((x) => x.group === group)) lines.push(`  ${c.name.padEnd(width)}${c.summary}`);
    lines.push('');
  }
  lines.push(`  ${'completion'.padEnd(width)}print a shell completion script: music completion bash|zsh`);
  lines.push(`  ${'help'.padEnd(width)}music help <command> is music <command> --help`);
  lines.push('');
  lines.push('Every command takes --help; those that print results take --json (one JSON document on stdout).');
  lines.push('Exit codes: 0 success, 1 failed, 2 bad input, 3 partial, 4 needs attention, 130 interrupted.');
  lines.push('Configuration: environment variables, or music.config.json (see README, Configuration).');
  return `${lines.join('\n')}\n`;
}

function find(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases?.includes(name));
}

async function run(spec: CommandSpec, args: string[]): Promise<void> {
  const script = path.join(SCRIPTS, spec.script);
  // The script parses process.argv as if it had been started itself (commander reads argv[2] onwards).
  process.argv = [process.argv[0]!, script, ...args];
  await import(pathToFileURL(script).href);
}

async function main(): Promise<void> {
  const [first, ...rest] = process.argv.slice(2);
  if (first === undefined || first === '--help' || first === '-h' || (first === 'help' && rest.length === 0)) {
    process.stdout.write(usage());
    return;
  }
  if (first === 'help') return dispatch(rest[0]!, ['--help']);
  if (first === 'completion') {
    const shell = rest[0];
    if (shell !== 'bash' && shell !== 'zsh') {
      process.stderr.write('music completion: name the shell: music completion bash (or zsh)\n  bash: add `source <(music completion bash)` to ~/.bashrc\n  zsh:  add `source <(music completion zsh)` to ~/.zshrc\n');
      process.exitCode = EXIT.badInput;
      return;
    }
    process.stdout.write(completionScript(shell, COMMANDS));
    return;
  }
  return dispatch(first, rest);
}

async function dispatch(name: string, args: string[]): Promise<void> {
  const spec = find(name);
  if (!spec) {
    process.stderr.write(`music: unknown command ${JSON.stringify(name)}; the commands are: ${COMMANDS.map((c) => c.name).join(', ')} (music --help)\n`);
    process.exitCode = EXIT.badInput;
    return;
  }
  await run(spec, args);
}

void main();
