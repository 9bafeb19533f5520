import { dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import {
  buildJudgePrompts,
  FIDELITIES,
  judgeRuleForTask,
  parseTaskName,
  readPyJsonFile,
  readPyJsonLines,
  renderJudgePrompts,
  scoreJudgeLines,
  writeFileAtomic,
  type Fidelity,
  type JudgeRule,
} from '@coin/metrics';
import type { CliContext } from '../context.js';

/**
 * `coin judge prompts` (CoIN's create_prompt.py) and `coin judge score` (evaluate_score.py): the
 * General-Knowledge evaluation around an LLM judge.
 */
export function registerJudgeCommand(program: Command, ctx: CliContext): void {
  const judge = program
    .command('judge')
    .description('LLM-as-judge (General Knowledge): build the judge prompts, score the judge outputs');

  judge
    .command('prompts')
    .description("write prompt_to_eval.json for a task's merge.jsonl, exactly as CoIN's create_prompt.py")
    .requiredOption('--task <task>', 'the task (Grounding uses the CoIN_Grounding rule, every other task CoIN)')
    .requiredOption('--test-file <file>', "the task's CoIN test.json / val.json")
    .requiredOption('--result-file <file>', 'merge.jsonl')
    .option('--out <file>', 'where to write (default: prompt_to_eval.json next to the result file)')
    .addOption(new Option('--rule <rule>', 'override the rule chosen from --task').choices(['CoIN', 'CoIN_Grounding']))
    .action((opts: { task: string; testFile: string; resultFile: string; out?: string; rule?: JudgeRule }) => {
      const task = parseTaskName(opts.task);
      const rule = opts.rule ?? judgeRuleForTask(task);
      const testItems = { value: readPyJsonFile(opts.testFile, 'test file'), src: { file: opts.testFile } };
      const predictions = { file: opts.resultFile, records: readPyJsonLines(opts.resultFile, 'result file') };
      const out = opts.out ?? join(dirname(opts.resultFile), 'prompt_to_eval.json');
      const prompts = buildJudgePrompts(testItems, predictions, rule);
      writeFileAtomic(out, renderJudgePrompts(prompts));
      ctx.stderr.write(`wrote ${prompts.length} judge prompts (${rule} rule) to ${out}\n`);
    });

  judge
    .command('score')
    .description(
      'read <dir>/prompt_eval_merge.jsonl, write <dir>/Prompt_Result.text ("Final score:<int>") as CoIN does',
    )
    .requiredOption('--dir <dir>', 'the result folder holding prompt_eval_merge.jsonl')
    .addOption(
      new Option('--fidelity <mode>', "coin: CoIN's parser exactly; strict: a robust parser")
        .choices(FIDELITIES)
        .default('coin'),
    )
    .option('--json', 'print {score, score_full, lines} instead of the unparsed judge texts')
    .action((opts: { dir: string; fidelity: Fidelity; json?: boolean }) => {
      const file = join(opts.dir, 'prompt_eval_merge.jsonl');
      const records = readPyJsonLines(file, 'judge output file', opts.fidelity === 'strict');
      const result = scoreJudgeLines(records, opts.fidelity, file);
      writeFileAtomic(join(opts.dir, 'Prompt_Result.text'), result.resultText);
      if (opts.json)
        ctx.stdout.write(
          `${JSON.stringify({ score: result.score, score_full: result.scoreFull, lines: result.lines })}\n`,
        );
      else for (const t of result.unparsed) ctx.stdout.write(`${t}\n`); // the original prints every text it could not parse
    });
}
