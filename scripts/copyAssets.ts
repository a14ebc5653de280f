import { cpSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Copies the data files that modules under src/ read at run time (the bundled OCSF schema, the AWS
 * address ranges) to the same place under dist/: tsc copies only what is imported, never data read
 * by path. Run by `npm run build` after tsc.
 */
const ASSET = /\.(json|csv)$|^(LICENSE|NOTICE)$/;
const SKIP = /\.test\.|(^|\/)(fixtures|testdata)\//;

function copyAssets(from: string, to: string): number {
  let copied = 0;
  for (const name of readdirSync(from)) {
    const path = join(from, name);
    if (statSync(path).isDirectory()) copied += copyAssets(path, join(to, name));
    else if (ASSET.test(name) && !SKIP.test(relative('src', path))) {
      cpSync(path, join(to, name));
      copied++;
    }
  }
  return copied;
}

const copied = copyAssets('src', 'dist');
console.log(`copied ${copied} data file(s) from src/ to dist/`);
