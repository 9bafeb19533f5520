import { readFileSync } from 'node:fs';
import { type CoinConfig, type CoinConfigInput, createLogger, loadConfig, type Logger } from '@coin/platform';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** The CLI is read by people: it logs pretty unless the config file or COIN_LOG_FORMAT says json. */
const CLI_DEFAULTS: CoinConfigInput = { log: { format: 'pretty' } };

/**
 * What every command gets: output streams, the environment (read here, once, at the edge), and the
 * validated config and logger built lazily from the global flags.
 */
export class CliContext {
  verbose = false;
  configPath: string | undefined;
  private config: CoinConfig | undefined;
  private logger: Logger | undefined;

  constructor(
    readonly stdout: NodeJS.WritableStream,
    readonly stderr: NodeJS.WritableStream,
    readonly env: Readonly<Record<string, string | undefined>>,
    readonly version: string = packageJson.version,
  ) {}

  static fromProcess(env: Readonly<Record<string, string | undefined>>): CliContext {
    return new CliContext(process.stdout, process.stderr, env);
  }

  /** The validated config; throws CONFIG.* errors that the CLI prints as usage errors. */
  getConfig(): CoinConfig {
    this.config ??= loadConfig(this.env, this.configPath, CLI_DEFAULTS);
    return this.config;
  }

  /**
   * ORT session options from the config (`runtime.threads`, `runtime.executionProvider`): every
   * command that creates sessions passes these, so the configured thread count reaches ORT.
   */
  sessionOptions(): { threads: number; executionProvider: 'cpu' | 'cuda' } {
    const { threads, executionProvider } = this.getConfig().runtime;
    return { threads, executionProvider };
  }

  getLogger(): Logger {
    if (!this.logger) {
      const config = this.getConfig();
      const level = this.verbose ? 'debug' : config.log.level;
      this.logger = createLogger({ level, format: config.log.format, name: 'coin', destination: this.stderr });
    }
    return this.logger;
  }
}
