import type { Command } from 'commander';
import { InvalidInputError } from '../../shared/errors';
import { EXIT, runCommand } from '../exit';

/** Shells `completion` writes a script for. */
const SHELLS = ['bash', 'zsh'] as const;

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (commands and their options)')
    .argument('<shell>', SHELLS.join(' | '))
    .addHelpText(
      'after',
      [
        '',
        'Install:',
        '  bash: notary-gate completion bash > ~/.local/share/bash-completion/completions/notary-gate',
        '  zsh:  source <(notary-gate completion zsh)   (in ~/.zshrc)',
      ].join('\n'),
    )
    .action((shell: string) =>
      runCommand(async () => {
        if (!(SHELLS as readonly string[]).includes(shell)) {
          throw new InvalidInputError(`completion: no script for ${shell}; choose ${SHELLS.join(' or ')}`);
        }
        process.stdout.write(completionScript(program, shell as (typeof SHELLS)[number]));
        return EXIT.ok;
      }),
    );
}

/** The words to offer: the commands, and per command its long options (from the commander tree, never stale). */
export function completionWords(program: Command): { commands: string[]; options: Record<string, string[]> } {
  const longs = (command: Command) =>
    command.options.flatMap((option) => (option.long ? [option.long] : [])).concat('--help');
  const commands = program.commands.map((command) => command.name());
  const options: Record<string, string[]> = { '': longs(program) };
  for (const command of program.commands) options[command.name()] = longs(command);
  return { commands, options };
}

export function completionScript(program: Command, shell: (typeof SHELLS)[number]): string {
  const { commands, options } = completionWords(program);
  const cases = Object.entries(options)
    .filter(([name]) => name !== '')
    .map(([name, words]) => `    ${name}) opts="${words.join(' ')}" ;;`)
    .join('\n');
  const bash = `# notary-gate ${shell} completion (notary-gate completion ${shell})
_notary_gate() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="" i opts
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) cmd="\${COMP_WORDS[i]}"; break ;; esac
  done
  if [ -z "$cmd" ]; then
    if [[ "$cur" == -* ]]; then opts="${options['']!.join(' ')}"; else opts="${commands.join(' ')}"; fi
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  case "$cmd" in
${cases}
    *) opts="" ;;
  esac
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -o filenames -F _notary_gate notary-gate
`;
  if (shell === 'bash') return bash;
  // zsh runs the same function through its bash completion layer: one script to keep right, not two.
  return `#compdef notary-gate\nautoload -U +X bashcompinit && bashcompinit\n${bash}`;
}
