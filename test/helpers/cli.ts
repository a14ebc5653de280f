import { spawnSync } from 'node:child_process';

/** Runs the CLI from source as a user would: a subprocess, its exit code, stdout and stderr. */
export function flowhawk(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync('node', ['--import', 'tsx', 'src/cli/run.ts', ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
