import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where `flowhawk update-data` keeps refreshed enrichment data: $FLOWHAWK_DATA_DIR if set, else the
 * XDG data directory ($XDG_DATA_HOME/flowhawk, ~/.local/share/flowhawk), on Windows
 * %LOCALAPPDATA%\flowhawk. Per user, because the bundled copy inside the package may not be writable.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLOWHAWK_DATA_DIR) return env.FLOWHAWK_DATA_DIR;
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, 'flowhawk');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'flowhawk');
  return join(homedir(), '.local', 'share', 'flowhawk');
}

/** The refreshed AWS ranges file inside a data directory. */
export const AWS_RANGES_FILE = 'aws-ip-ranges.compact.json';
