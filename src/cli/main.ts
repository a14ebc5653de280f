import { Command, CommanderError } from 'commander';
import { FlowhawkError } from '../errors.js';
import { VERSION } from '../version.js';
import { registerDetectors } from './detectorsCommand.js';
import { registerFormats } from './formatsCommand.js';
import { registerIngest } from './ingestCommand.js';
import { registerReport } from './reportCommand.js';
import { registerScan } from './scanCommand.js';
import { registerServe } from './serveCommand.js';
import { registerUpdateData } from './updateDataCommand.js';
import { registerWatch } from './watchCommand.js';

export function buildProgram(): Command {
  const program = new Command('flowhawk')
    .description('Find malicious network behaviour in cloud flow logs, with no infrastructure.')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();
  registerScan(program);
  registerIngest(program);
  registerDetectors(program);
  registerFormats(program);
  registerReport(program);
  registerServe(program);
  registerUpdateData(program);
  registerWatch(program);
  return program;
}

/** Exit codes: 0 clean, 2 usage error, 3 input error. */
export async function main(argv: string[]): Promise<void> {
  // `flowhawk … | head` closes the pipe early: stop quietly, as other command-line tools do, instead
  // of dying on an unhandled EPIPE with a stack trace
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') process.stderr.write(`flowhawk: cannot write the output: ${error.message}\n`);
    process.exit(error.code === 'EPIPE' ? (process.exitCode ?? 0) : 3);
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (error instanceof FlowhawkError) {
      process.stderr.write(`flowhawk: ${error.message}\n${error.hint ? `  ${error.hint}\n` : ''}`);
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`flowhawk: unexpected error: ${(error as Error).stack ?? error}\n`);
    process.exitCode = 3;
  }
}
