import { Command } from 'commander';
import { COMMANDS, commandsToLoad } from '../../cli/command-loader';

const ALL = Object.keys(COMMANDS);

describe('which commands a run loads (cli/command-loader.ts)', () => {
  it.each([['check'], ['images'], ['webhook-config'], ['serve']])('only %s when the run names it first', (name) => {
    expect(commandsToLoad([name, '--policy', 'p.yaml', 'x'])).toEqual([name]);
  });

  it.each([
    [[]],
    [['--help']],
    [['help', 'check']],
    [['--debug', 'check']],
    [['chek']],
    [['completion', 'bash']],
    [['constructor']],
  ])('all of them for %j (help, usage errors and completion list every command)', (args) => {
    expect(commandsToLoad(args)).toEqual(ALL);
  });

  it('registers under the name it is listed as', async () => {
    for (const name of ALL) {
      const program = new Command('notary-gate');
      (await COMMANDS[name as keyof typeof COMMANDS]())(program);
      expect(program.commands.map((command) => command.name())).toEqual([name]);
    }
  });
});
