import { type ChildProcess, fork, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Starts one of the server's helper modules (jobWorker, reportWorker) as a child process: compiled
 * JavaScript beside this file, or TypeScript through tsx when the server itself runs from source.
 */
export function forkServerModule(
  name: 'jobWorker' | 'reportWorker',
  args: string[],
  stdio: StdioOptions,
): ChildProcess {
  const here = fileURLToPath(import.meta.url);
  const fromSource = here.endsWith('.ts');
  const module = here.replace(/workerProcess\.(ts|js)$/, `${name}.${fromSource ? 'ts' : 'js'}`);
  return fork(module, args, { execArgv: fromSource ? ['--import', 'tsx'] : [], stdio });
}
