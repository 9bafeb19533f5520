import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type CliResult, runCli } from '../testing/run-cli.js';

/**
 * Every error, commander's or ours, reaches the user in one shape on stderr, stdout stays empty:
 *   coin: error: <what was wrong>
 *     hint: <how to fix it>
 *     code: <AREA.WHAT>
 */
const ERROR_SHAPE = /^coin: error: (?<message>.+)\n(?: {2}hint: (?<hint>.+)\n)? {2}code: (?<code>[A-Z_]+\.[A-Z_.]+)\n$/;

function expectError(r: CliResult, exit: number, code: string, message: RegExp, hint?: RegExp): void {
  assert.equal(r.code, exit, r.stderr);
  assert.equal(r.stdout, '', 'stdout stays clean on errors');
  const m = ERROR_SHAPE.exec(r.stderr);
  assert.ok(m?.groups, `stderr has the one error shape:\n${r.stderr}`);
  assert.equal(m.groups.code, code);
  assert.match(m.groups.message, message);
  if (hint) assert.match(m.groups.hint ?? '', hint);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

const usage = (r: CliResult, code: string, message: RegExp, hint?: RegExp) => expectError(r, 2, code, message, hint);

const dir = mkdtempSync(join(tmpdir(), 'coin-errors-'));
const matrix = join(dir, 'matrix.json');
writeFileSync(matrix, JSON.stringify({ tasks: ['x', 'y'], matrix: [[80], [40, 60]] }));

describe("commander's errors come out in our format", () => {
  it('unknown command, with "did you mean" when one is close', async () => {
    usage(await runCli(['metrcs']), 'CLI.UNKNOWN_COMMAND', /unknown command 'metrcs'/, /did you mean `coin metrics`/);
    usage(await runCli(['judge', 'promts']), 'CLI.UNKNOWN_COMMAND', /'promts'/, /did you mean `coin judge prompts`/);
    usage(
      await runCli(['prep', 'refcocox']),
      'CLI.UNKNOWN_COMMAND',
      /'refcocox'/,
      /^did you mean one of `coin prep refcoco`, `coin prep refcoco\+`, `coin prep refcocog`\?$/,
    );
    usage(await runCli(['frobnicate']), 'CLI.UNKNOWN_COMMAND', /unknown command 'frobnicate'/, /coin --help/);
    const help = await runCli(['help', 'frobnicate']);
    assert.equal(help.code, 2);
    assert.match(
      help.stderr,
      /\ncoin: error: unknown command 'frobnicate'\n {2}hint: .+\n {2}code: CLI\.UNKNOWN_COMMAND\n$/,
    );
  });

  it('unknown option wins over a missing required option', async () => {
    const r = await runCli(['judge', 'prompts', '--task', 'GQA', '--test-file', 't.json', '--frob']);
    usage(r, 'CLI.UNKNOWN_OPTION', /unknown option '--frob'/, /coin judge prompts --help/);
    const typo = await runCli(['judge', 'prompts', '--reslt-file', 'm.jsonl']);
    usage(typo, 'CLI.UNKNOWN_OPTION', /'--reslt-file'/, /did you mean --result-file/);
    usage(await runCli(['config', '--frobnicate']), 'CLI.UNKNOWN_OPTION', /'--frobnicate'/);
  });

  it('missing argument wins over a missing required option', async () => {
    usage(await runCli(['score']), 'CLI.MISSING_ARGUMENT', /missing required argument 'task'/, /coin score --help/);
    usage(await runCli(['score', '--result-file', 'm.jsonl']), 'CLI.MISSING_ARGUMENT', /'task'/);
  });

  it('missing required option', async () => {
    usage(
      await runCli(['metrics']),
      'CLI.MISSING_OPTION',
      /required option '--matrix <file\.\.\.>'/,
      /coin metrics --help/,
    );
    usage(await runCli(['judge', 'score']), 'CLI.MISSING_OPTION', /'--dir <dir>'/);
  });

  it('a value outside the choices lists them', async () => {
    const r = await runCli(['judge', 'score', '--dir', dir, '--fidelity', 'exact']);
    usage(r, 'CLI.BAD_VALUE', /--fidelity.*'exact'/, /coin, strict/);
  });

  it('an option without its value', async () => {
    usage(await runCli(['metrics', '--matrix']), 'CLI.MISSING_VALUE', /'--matrix <file\.\.\.>' argument missing/);
  });

  it('too many arguments', async () => {
    usage(await runCli(['config', 'extra']), 'CLI.EXCESS_ARGUMENTS', /too many arguments/);
  });

  it('a command group without its subcommand shows the group help on stderr', async () => {
    const r = await runCli(['judge']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Usage: coin judge/);
    assert.match(
      r.stderr,
      /\ncoin: error: `coin judge` needs a command\n {2}hint: .+\n {2}code: CLI\.MISSING_COMMAND\n$/,
    );
  });
});

describe('--help and --version succeed on stdout', () => {
  it('even in a process whose exitCode is already set (commander reads it)', async () => {
    const before = process.exitCode;
    process.exitCode = 1;
    try {
      const r = await runCli(['help', 'score']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Usage: coin score/);
    } finally {
      process.exitCode = before;
    }
  });

  it('exit 0, nothing on stderr', async () => {
    for (const argv of [['--help'], ['metrics', '--help'], ['judge', 'prompts', '--help'], ['help', 'score'], ['-V']]) {
      const r = await runCli(argv);
      assert.equal(r.code, 0, argv.join(' '));
      assert.equal(r.stderr, '', argv.join(' '));
      assert.notEqual(r.stdout, '');
    }
  });
});

describe('every command validates --config and COIN_*', () => {
  it('an unknown COIN_* variable stops a non-config command', async () => {
    const r = await runCli(['metrics', '--matrix', matrix], { COIN_LOGLEVEL: 'debug' });
    usage(r, 'CONFIG.UNKNOWN_VARIABLE', /unknown environment variable COIN_LOGLEVEL/, /COIN_LOG_LEVEL/);
  });

  it('a bad --config file stops a non-config command', async () => {
    const missing = await runCli(['--config', join(dir, 'none.json'), 'metrics', '--matrix', matrix]);
    usage(missing, 'CONFIG.NOT_FOUND', /cannot read config file/);
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ log: { level: 'loud' } }));
    usage(await runCli(['--config', file, 'metrics', '--matrix', matrix]), 'CONFIG.INVALID', /log\.level/);
    const bad = await runCli(['metrics', '--matrix', matrix], { COIN_LOG_FORMAT: 'yaml' });
    usage(bad, 'CONFIG.INVALID', /log\.format/);
  });
});

describe('a disk error is a failure, not bad usage', () => {
  it('METRICS.WRITE_FAILED exits 1', async () => {
    const out = join(dir, 'judge-out');
    mkdirSync(join(out, 'Prompt_Result.text', 'occupied'), { recursive: true });
    writeFileSync(
      join(out, 'prompt_eval_merge.jsonl'),
      '{"question_id": 0, "prompt": "p", "text": "8", "answer_id": "a"}\n',
    );
    const r = await runCli(['judge', 'score', '--dir', out]);
    expectError(r, 1, 'METRICS.WRITE_FAILED', /cannot write .*Prompt_Result\.text/);
  });
});
