import { sha256Base64 } from '../../digest.js';
import { html, inlineScript, raw, type SafeHtml } from './escape.js';

/** The page shell: head, inline styles, the data block and the scripts, with a strict CSP. */
const STYLE = `
:root { --fg:#111827; --muted:#6b7280; --line:#e5e7eb; --bg:#fff; --panel:#f9fafb; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 1200px; padding: 1rem 1.5rem 4rem; }
h1 { font-size: 1.5rem; margin: .5rem 0; } h2 { border-bottom: 1px solid var(--line); padding-bottom: .25rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 0 0 .5rem; word-break: break-all; }
nav a { margin-right: 1rem; } .note, header p { color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; word-break: break-all; }
.severity-counts { list-style: none; padding: 0; display: flex; gap: .75rem; flex-wrap: wrap; }
.severity-counts li { border: 1px solid var(--line); border-left: 6px solid; border-radius: 4px; padding: .4rem .8rem; min-width: 7rem; }
.severity-counts .count { font-size: 1.4rem; font-weight: 600; margin-right: .25rem; }
.sev-critical { border-color: #7e22ce; } .sev-high { border-color: #dc2626; } .sev-medium { border-color: #d97706; }
.sev-low { border-color: #2563eb; } .sev-info { border-color: #6b7280; }
.badge { color: #fff; border-radius: 3px; padding: 0 .4rem; font-size: .8rem; text-transform: uppercase; }
.badge.sev-critical { background: #7e22ce; } .badge.sev-high { background: #dc2626; } .badge.sev-medium { background: #d97706; }
.badge.sev-low { background: #2563eb; } .badge.sev-info { background: #6b7280; }
.chart { min-height: 300px; } .two { display: grid; align-items: start; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .2rem .5rem; text-align: left; vertical-align: top; word-break: break-all; }
td.num { position: relative; text-align: right; white-space: nowrap; }
.bar { position: absolute; left: 0; top: 15%; height: 70%; background: #dbeafe; z-index: -1; }
td.num { isolation: isolate; }
article.finding { border: 1px solid var(--line); border-left: 6px solid; border-radius: 4px; padding: .75rem 1rem; margin: 1rem 0; background: var(--panel); }
article.suppressed { opacity: .75; } .suppression { color: #92400e; }
.explanation { font-size: 1rem; } .limitations { color: #92400e; } .evidence { font-family: ui-monospace, monospace; font-size: 12px; }
figure.finding-chart { margin: .75rem 0; padding: .5rem; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; max-width: 760px; }
figure.finding-chart svg { display: block; width: 100%; height: auto; font-family: system-ui, sans-serif; }
figure.finding-chart figcaption { color: var(--muted); font-size: 12px; margin-top: .25rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: 12px; }
`;

const sha256 = (text: string) => `'sha256-${sha256Base64(text)}'`;

export interface PageParts {
  title: string;
  header: SafeHtml;
  footer: SafeHtml;
  /** the JSON text for the data block, already escaped for a script element */
  dataJson: string;
  /** inline scripts, run in order (the chart library, then the page's own) */
  scripts: string[];
  extraCss: string;
}

/**
 * The page shell around the body: what comes before the body's sections (head and header), and what
 * comes after them (footer, data block, scripts), so the sections can be written one at a time.
 */
export function pageShell(parts: PageParts): { start: string; end: string } {
  const scripts = parts.scripts.map(inlineScript);
  // Only these exact scripts may run; nothing may be fetched (the page works offline and leaks nothing).
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map(sha256).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const start = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${parts.title}</title>
<style>${raw(parts.extraCss)}${raw(STYLE)}</style>
</head>
<body>
${parts.header}
`;
  const end = html`
${parts.footer}
<script type="application/json" id="fh-data">${raw(parts.dataJson)}</script>
${scripts.map((s) => html`<script>${raw(s)}</script>\n`)}</body>
</html>
`;
  return { start: start.text, end: end.text };
}
