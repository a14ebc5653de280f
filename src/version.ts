import { readFileSync } from 'node:fs';

/** flowhawk's version, from package.json (one place, so --version and reports agree). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
