/**
 * The answers the installed CLI gives without loading commander or any command: `--help` and `--version` alone.
 * Their texts are what the real program (cli/main.ts) printed when the bundle was built (scripts/bundle-cli.mjs
 * runs the built program to capture them), so they cannot drift from commander's; this module only decides when
 * such a text is the answer. Everything else (a command, a usage error, `help`, help for a terminal of another
 * width) goes to the real program. Issue 16: `--help` within 1.5x of a bare `node -e 0`.
 */

export interface StaticTexts {
  /** `notary-gate --help` as commander printed it at `helpWidth` columns. */
  readonly help: string;
  /** `notary-gate --version`. */
  readonly version: string;
  /** The width the help was wrapped at: commander's default when stdout is not a terminal. */
  readonly helpWidth: number;
}

/** Commander wraps help at the terminal's width, and at 80 columns when stdout is not a terminal. */
const COMMANDER_DEFAULT_HELP_WIDTH = 80;

/** The text to print for these arguments, or undefined when the real program must answer. */
export function staticAnswer(
  args: readonly string[],
  texts: StaticTexts,
  stdout: { readonly isTTY?: boolean; readonly columns?: number },
): string | undefined {
  if (args.length !== 1) return undefined;
  const [arg] = args;
  if (arg === '--version' || arg === '-V') return texts.version;
  if (arg === '--help' || arg === '-h') {
    const width = stdout.isTTY ? stdout.columns : COMMANDER_DEFAULT_HELP_WIDTH;
    return width === texts.helpWidth ? texts.help : undefined;
  }
  return undefined;
}
