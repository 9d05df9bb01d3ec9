// Shell completion for `music`: `music completion bash|zsh` prints a script that completes command
// names, each command's options, the values of options with a fixed set (providers, states), and
// file names everywhere else. Written out whole at print time, so completing costs no Node start.

export interface CompletionSpec {
  name: string;
  aliases?: string[];
  options: string[];
  /** Options whose value is one of a few words. */
  values?: Record<string, string[]>;
}

const EXTRA_COMMANDS = ['completion', 'help'];

/** Shell words are our own option names and values; anything else would be a bug here, so refuse it. */
function word(w: string): string {
  if (!/^[\w.:-]+$/.test(w)) throw new Error(`completion: ${JSON.stringify(w)} is not a plain word`);
  return w;
}

function names(c: CompletionSpec): string[] {
  return [c.name, ...(c.aliases ?? [])].map(word);
}

export function bashCompletion(commands: CompletionSpec[]): string {
  const all = [...commands.flatMap(names), ...EXTRA_COMMANDS].join(' ');
  const cases = commands
    .map((c) => {
      const values = Object.entries(c.values ?? {})
        .map(([opt, vs]) => `        ${word(opt)}) COMPREPLY=( $(compgen -W "${vs.map(word).join(' ')}" -- "$cur") ); return ;;`)
        .join('\n');
      return `    ${names(c).join('|')})\n      opts="${[...c.options.map(word), '--help'].join(' ')}"\n      case "$prev" in\n${values}\n      esac ;;`;
    })
    .join('\n');
  return `# bash completion for music (from: music completion bash)
_music() {
  local cur prev opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${all} --help" -- "$cur") )
    return
  fi
  opts=""
  case "\${COMP_WORDS[1]}" in
${cases}
    completion) COMPREPLY=( $(compgen -W "bash zsh" -- "$cur") ); return ;;
    help) COMPREPLY=( $(compgen -W "${all}" -- "$cur") ); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -o filenames -o bashdefault -F _music music
`;
}

export function zshCompletion(commands: CompletionSpec[]): string {
  const described = commands.flatMap(names).concat(EXTRA_COMMANDS);
  const cases = commands
    .map((c) => {
      const values = Object.entries(c.values ?? {})
        .map(([opt, vs]) => `        ${word(opt)}) compadd -- ${vs.map(word).join(' ')}; return ;;`)
        .join('\n');
      return `    ${names(c).join('|')})\n      opts=(${[...c.options.map(word), '--help'].join(' ')})\n      case $words[CURRENT-1] in\n${values}\n      esac ;;`;
    })
    .join('\n');
  return `#compdef music
# zsh completion for music (from: music completion zsh)
_music() {
  local -a opts
  if (( CURRENT == 2 )); then
    compadd -- ${described.join(' ')} --help
    return
  fi
  case $words[2] in
${cases}
    completion) compadd -- bash zsh; return ;;
    help) compadd -- ${described.join(' ')}; return ;;
  esac
  if [[ $PREFIX == -* ]]; then
    compadd -- $opts
  else
    _files
  fi
}
if (( $+functions[compdef] )); then compdef _music music; fi
`;
}

export function completionScript(shell: 'bash' | 'zsh', commands: CompletionSpec[]): string {
  return shell === 'bash' ? bashCompletion(commands) : zshCompletion(commands);
}
