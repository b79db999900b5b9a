// Test support: the `xylen` program with `runs` registered, for child-process tests until cli/main.ts registers it
// itself (then the tests run bin/xylen.js and this file can go). Errors are reported as cli/main.ts reports them.
import { CommanderError } from 'commander';
import { registerRunsCommands } from '../../cli/commands/runs.ts';
import { buildProgram } from '../../cli/main.ts';
import { XylenError } from '../../engine/index.ts';

const program = buildProgram();
registerRunsCommands(program);
for (const command of program.commands.find((c) => c.name() === 'runs')!.commands) command.exitOverride();
try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
} catch (error) {
  if (error instanceof XylenError) {
    process.stderr.write(`error[${error.code}]: ${error.describe()}\n`);
    process.exitCode = error.exitCode;
  } else if (error instanceof CommanderError) {
    process.exitCode = error.code === 'commander.helpDisplayed' ? 0 : 2;
  } else {
    throw error;
  }
}
