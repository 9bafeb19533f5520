/**
 * Commander's parse errors, turned into CoinErrors so that they reach the user through the same
 * formatter as ours (see report.ts): one shape, a stable CLI.* code, a hint naming the command's
 * `--help`, and exit code 2.
 */
import { type Command, CommanderError, type Option } from 'commander';
import { CoinError } from '@coin/core';

/** Commander's error codes and ours. Missing here: help, version (exit 0) and `commander.help`. */
const CODES: Readonly<Record<string, string>> = {
  'commander.unknownCommand': 'CLI.UNKNOWN_COMMAND',
  'commander.unknownOption': 'CLI.UNKNOWN_OPTION',
  'commander.missingArgument': 'CLI.MISSING_ARGUMENT',
  'commander.optionMissingArgument': 'CLI.MISSING_VALUE',
  'commander.missingMandatoryOptionValue': 'CLI.MISSING_OPTION',
  'commander.invalidArgument': 'CLI.BAD_VALUE',
  'commander.excessArguments': 'CLI.EXCESS_ARGUMENTS',
  'commander.conflictingOption': 'CLI.CONFLICTING_OPTIONS',
};

/** `coin judge prompts`: how the user types the command. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

const usageHint = (cmd: Command): string => `see \`${commandPath(cmd)} --help\``;

/**
 * Commander writes "error: <what>" and, on some lines of its own, "(Did you mean x?)" and
 * "Allowed choices are a, b.": split them so that the suggestion and the choices become the hint.
 */
function parseMessage(raw: string): { what: string; suggestions: string[]; choices?: string } {
  const lines = raw.split('\n');
  let what = lines[0].replace(/^error: /, '');
  const choices = /^(.*\.) Allowed choices are (.*)\.$/.exec(what);
  if (choices) what = choices[1].replace(/\.$/, '');
  // "(Did you mean x?)" or "(Did you mean one of x, y?)"
  const similar = lines
    .slice(1)
    .map((l) => /^\(Did you mean (?:one of )?(.+)\?\)$/.exec(l)?.[1])
    .find(Boolean);
  return { what, suggestions: similar ? similar.split(', ') : [], choices: choices?.[2] };
}

/** "x", or "one of x, y" */
const oneOf = (names: readonly string[]): string => (names.length > 1 ? `one of ${names.join(', ')}` : names[0]);

function hintFor(err: CommanderError, cmd: Command, suggestions: readonly string[], choices?: string): string {
  if (choices) return `choose one of ${choices}`;
  if (err.code === 'commander.unknownCommand') {
    return suggestions.length > 0
      ? `did you mean ${oneOf(suggestions.map((s) => `\`${commandPath(cmd)} ${s}\``))}?`
      : `run \`${commandPath(cmd)} --help\` to list the commands`;
  }
  if (suggestions.length > 0) return `did you mean ${oneOf(suggestions)}? ${usageHint(cmd)}`;
  return usageHint(cmd);
}

/**
 * The CoinError for a commander error raised while parsing `cmd`; help and version stay
 * CommanderErrors with exit code 0, which the CLI treats as success. `helpForError` says whether
 * the help just printed was the usage-error kind (on stderr): commander's own exit code for help
 * echoes the global process.exitCode, which in-process callers such as tests may have set.
 */
export function fromCommanderError(
  err: CommanderError,
  cmd: Command,
  helpForError: boolean,
): CoinError | CommanderError {
  if (err.code === 'commander.help' && !helpForError) return new CommanderError(0, err.code, err.message);
  if (err.exitCode === 0) return err;
  if (err.code === 'commander.help') {
    // Commander has printed the group's help on stderr: for `coin help <name>` with an unknown
    // name, or for a command group called without a command.
    const [first, asked] = cmd.args;
    if (first === 'help' && asked !== undefined) {
      return new CoinError('CLI.UNKNOWN_COMMAND', 'INVALID_ARGUMENT', `unknown command '${asked}'`, {
        hint: 'pick one of the commands listed above',
      });
    }
    return new CoinError('CLI.MISSING_COMMAND', 'INVALID_ARGUMENT', `\`${commandPath(cmd)}\` needs a command`, {
      hint: 'pick one of the commands listed above',
    });
  }
  const { what, suggestions, choices } = parseMessage(err.message);
  return new CoinError(CODES[err.code] ?? 'CLI.BAD_USAGE', 'INVALID_ARGUMENT', what, {
    hint: hintFor(err, cmd, suggestions, choices),
    details: { commander: err.code },
  });
}

/** The error for a required option left out, worded as commander words it. */
export function missingOptionError(cmd: Command, option: Option): CoinError {
  return new CoinError('CLI.MISSING_OPTION', 'INVALID_ARGUMENT', `required option '${option.flags}' not specified`, {
    hint: usageHint(cmd),
  });
}
