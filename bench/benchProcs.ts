/**
 * Process plumbing for the bench: timing zcat over the corpus, running a command while measuring its
 * wall time, CPU time and peak RSS, and describing the machine the figures come from.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

/** Every *.log.gz under `dir`, sorted so runs are repeatable. */
export async function listCorpusFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && e.name.endsWith('.log.gz'))
      .map((e) => join(e.parentPath, e.name))
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function waitExit(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/**
 * Wall seconds for `zcat` to decompress every file to /dev/null: the floor any ingest has to pay
 * to read the corpus. Files go in groups so no command line gets too long; groups run one after the
 * other, so this is single-core decompression speed.
 */
export async function timeZcat(files: readonly string[], groupSize = 200): Promise<number> {
  const devNull = openSync('/dev/null', 'w');
  let seconds = 0;
  try {
    for (let i = 0; i < files.length; i += groupSize) {
      const started = performance.now();
      const child = spawn('zcat', ['--', ...files.slice(i, i + groupSize)], {
        stdio: ['ignore', devNull, 'inherit'],
      });
      const code = await waitExit(child);
      seconds += (performance.now() - started) / 1000;
      if (code !== 0) throw new Error(`zcat exited with ${code}`);
    }
  } finally {
    closeSync(devNull);
  }
  return seconds;
}

export interface Measured {
  exitCode: number;
  wallSeconds: number;
  /** peak resident set size of the command, MiB; null when it could not be measured */
  peakRssMb: number | null;
  /** user + system CPU seconds; null without GNU time */
  cpuSeconds: number | null;
  rssSource: 'gnu-time' | 'proc-status';
  stdout: string;
  /** last 16 KiB of stderr, for error reports and the scan's stage line */
  stderrTail: string;
}

export interface RunOptions {
  /**
   * pass the command's stderr through live (default); false keeps it only in stderrTail, for
   * commands whose stderr is figures to parse rather than progress to watch
   */
  echoStderr?: boolean;
}

let gnuTimeChecked: boolean | undefined;

/** True when /usr/bin/time is GNU time (it understands -f '%M'); busybox and BSD time do not. */
function hasGnuTime(): boolean {
  if (gnuTimeChecked === undefined) {
    const probe = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' });
    gnuTimeChecked = probe.status === 0 && /^\d+\s*$/.test(probe.stderr ?? '');
  }
  return gnuTimeChecked;
}

/** VmHWM (peak RSS) of a live process from /proc, in KiB; undefined once it has gone. */
function readVmHwmKb(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a command to completion, measuring it. GNU time reports the peak RSS and CPU from the kernel's
 * rusage, which catches the very end of the run; without it we poll VmHWM every 50 ms (a high-water
 * mark, so polling misses at most the last 50 ms of growth).
 */
export async function runMeasured(
  cmd: string,
  args: readonly string[],
  cwd: string,
  options: RunOptions = {},
): Promise<Measured> {
  const echo = options.echoStderr ?? true;
  const gnu = hasGnuTime();
  const scratch = await mkdtemp(join(tmpdir(), 'flowhawk-time-'));
  const timeFile = join(scratch, 'time.txt');
  const [file, argv] = gnu
    ? ['/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, cmd, ...args]]
    : [cmd, [...args]];
  const started = performance.now();
  const child = spawn(file, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let stderrTail = '';
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => {
    if (echo) process.stderr.write(b);
    stderrTail = (stderrTail + b.toString('utf8')).slice(-16384);
  });
  let peakKb = 0;
  const poll = gnu
    ? undefined
    : setInterval(() => {
        peakKb = Math.max(peakKb, child.pid === undefined ? 0 : (readVmHwmKb(child.pid) ?? 0));
      }, 50);
  const exitCode = await waitExit(child);
  const wallSeconds = (performance.now() - started) / 1000;
  if (poll) clearInterval(poll);

  let peakRssMb: number | null = peakKb > 0 ? peakKb / 1024 : null;
  let cpuSeconds: number | null = null;
  if (gnu) {
    // The last line holds the figures; a failing command adds "Command exited with ..." before it.
    const last = (await readFile(timeFile, 'utf8').catch(() => '')).trim().split('\n').pop() ?? '';
    const [rss, user, sys] = last.split(' ').map(Number);
    if (rss !== undefined && Number.isFinite(rss)) peakRssMb = rss / 1024;
    if (user !== undefined && sys !== undefined && Number.isFinite(user + sys)) cpuSeconds = user + sys;
  }
  await rm(scratch, { recursive: true, force: true });
  return {
    exitCode,
    wallSeconds,
    peakRssMb,
    cpuSeconds,
    rssSource: gnu ? 'gnu-time' : 'proc-status',
    stdout: Buffer.concat(out).toString('utf8'),
    stderrTail,
  };
}

export interface MachineFacts {
  nproc: number;
  cpuModel: string;
  totalMemoryMb: number;
  node: string;
  platform: string;
  /** 1-minute load average at start: high values mean other work shared the CPUs */
  loadAverage1m: number;
}

export function machineFacts(): MachineFacts {
  let cpuModel = 'unknown';
  try {
    cpuModel =
      /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: keep 'unknown'
  }
  return {
    nproc: availableParallelism(),
    cpuModel,
    totalMemoryMb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
  };
}
