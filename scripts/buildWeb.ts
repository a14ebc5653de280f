import { mkdirSync, writeFileSync } from 'node:fs';
import { bundleWebApp } from '../src/server/webUi.js';

/**
 * `npm run build` step: bundles the page (web/main.ts and the pure src/ modules it imports) into
 * dist/web/app.js, which the built server serves; running from source, the server bundles it itself.
 */
const out = new URL('../dist/web/', import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(new URL('app.js', out), await bundleWebApp());
