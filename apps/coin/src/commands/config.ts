import type { Command } from 'commander';
import { ENVIRONMENT } from '@coin/platform';
import type { CliContext } from '../context.js';

export function registerConfigCommand(program: Command, ctx: CliContext): void {
  program
    .command('config')
    .description('validate and print the resolved configuration (defaults < --config file < COIN_* variables)')
    .addHelpText(
      'after',
      `\nEnvironment variables:\n  ${Object.keys(ENVIRONMENT).join('\n  ')}\n  COIN_CONFIG (path of the JSON config file)\n` +
        '\nEvery key, its default, its COIN_* variable and an example file: docs/configuration.md\n',
    )
    .action(() => {
      const config = ctx.getConfig();
      const shown = { ...config, s3: { ...config.s3, secretKey: config.s3.secretKey ? '***' : undefined } };
      ctx.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    });
}
