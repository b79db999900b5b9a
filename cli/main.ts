import { Command, CommanderError, Option } from 'commander';
import { XylenError } from '../engine/index.ts';
import { registerCheckCommands } from './commands/check.ts';
import { registerConfigCommands } from './commands/config.ts';
import { registerDataCommands } from './commands/data.ts';
import { registerExchangeSim } from './commands/exchangeSim.ts';
import { registerLiveCommands } from './commands/live.ts';
import { registerFeaturesCommands } from './commands/features.ts';
import { registerModelCommands } from './commands/model.ts';
import { registerModelsCommands } from './commands/models.ts';
import { registerModelServer } from './commands/modelServer.ts';
import { registerModelTrain } from './commands/modelTrain.ts';
import { registerPromoteCommand } from './commands/promote.ts';
import { registerReplayCommand } from './commands/replay.ts';
import { registerReportCommand } from './commands/report.ts';
import { registerRunsCommands } from './commands/runs.ts';
import { registerSweepCommands } from './commands/sweep.ts';
import { registerWorkerCommand } from './commands/worker.ts';
import { registerWalkforwardCommands } from './commands/walkforward.ts';
import { registerStudioCommand } from './commands/studio.ts';
import { quietOnClosedPipe } from './quietOnClosedPipe.ts';

/** Build the `xylen` program. Exported for tests that run commands in-process. */
export function buildProgram(): Command {
  const program = new Command('xylen')
    .description('Xylen: research, replay and live trading for ML ensembles on crypto perpetual futures')
    .version('0.1.0')
    .addOption(new Option('--db <path>', 'DuckDB store (default: $XYLEN_DB, then config data.db, then ./xylen.duckdb)'))
    .addOption(new Option('--config <path>', 'config file (default: ./xylen.yaml when present)'))
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerReplayCommand(program);
  registerConfigCommands(program);
  registerDataCommands(program);
  registerRunsCommands(program);
  registerCheckCommands(program);
  registerFeaturesCommands(program);
  registerModelTrain(registerModelCommands(program));
  registerModelsCommands(program);
  registerModelServer(program);
  registerSweepCommands(program);
  registerWorkerCommand(program);
  registerWalkforwardCommands(program);
  registerExchangeSim(program);
  registerLiveCommands(program);
  registerStudioCommand(program);
  registerReportCommand(program);
  registerPromoteCommand(program);
  for (const command of allCommands(program)) command.exitOverride();
  return program;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** Run the CLI with `argv` (without node and script) and return the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // help and version are "errors" to commander; usage mistakes exit 2 (commander has printed them).
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : 2;
  }
  if (error instanceof XylenError) {
    process.stderr.write(`error[${error.code}]: ${error.describe()}\n`);
    if (process.env['XYLEN_DEBUG']) process.stderr.write(`${error.stack ?? ''}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  process.stderr.write(process.env['XYLEN_DEBUG'] ? `${(error as Error)?.stack ?? ''}\n` : '  (set XYLEN_DEBUG=1 for the stack trace; please report this as a bug)\n');
  return 1;
}

const isEntry = process.argv[1] !== undefined && /(xylen(\.js)?|cli[\\/]main\.ts)$/.test(process.argv[1]);
if (isEntry) {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  const code = await runCli(process.argv.slice(2));
  process.exitCode = code;
}
