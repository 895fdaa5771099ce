import { staticAnswer } from '../../cli/static-answers';

const texts = { help: 'Usage: notary-gate [options] [command]\n', version: '0.1.0\n', helpWidth: 80 };
const piped = { isTTY: false };

describe("the bin's answers without commander (cli/static-answers.ts)", () => {
  it.each([['--version'], ['-V']])('%s alone is the version', (arg) => {
    expect(staticAnswer([arg], texts, piped)).toBe('0.1.0\n');
  });

  it.each([['--help'], ['-h']])(
    '%s alone, stdout not a terminal, is the help commander wrapped at 80 columns',
    (arg) => {
      expect(staticAnswer([arg], texts, piped)).toBe(texts.help);
    },
  );

  it('answers --help on an 80-column terminal, and leaves other widths to commander (it wraps to the terminal)', () => {
    expect(staticAnswer(['--help'], texts, { isTTY: true, columns: 80 })).toBe(texts.help);
    expect(staticAnswer(['--help'], texts, { isTTY: true, columns: 132 })).toBeUndefined();
    expect(staticAnswer(['--help'], texts, { isTTY: true })).toBeUndefined();
  });

  it.each([
    [[]],
    [['check']],
    [['check', '--help']],
    [['--help', 'check']],
    [['--debug', '--help']],
    [['help']],
    [['--helpx']],
    [['--version', '--debug']],
  ])('leaves %j to the program', (args) => {
    expect(staticAnswer(args, texts, piped)).toBeUndefined();
  });
});
