/**
 * What can be done with a job: download its report in every format (fetched with the token, saved
 * through a blob URL under the server's file name), re-run it with another allowlist, delete it.
 */
import type { AllowlistEntry } from '../src/config/config.js';
import type { Job } from '../src/server/apiTypes.js';
import { api, errorText } from './api.js';
import { h, replace } from './dom.js';

const FORMAT_LABELS: Record<string, string> = {
  html: 'HTML report',
  json: 'JSON',
  ndjson: 'NDJSON',
  csv: 'CSV',
  md: 'Markdown',
  ocsf: 'OCSF',
  asff: 'ASFF (Security Hub)',
  table: 'Text table',
};

/** The file name in a Content-Disposition header (RFC 6266: filename* wins over filename). */
export function dispositionFilename(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star?.[2]) {
    try {
      return decodeURIComponent(star[2].trim());
    } catch {
      // fall through to the plain parameter
    }
  }
  const quoted = /filename\s*=\s*"((?:\\.|[^"\\])*)"/i.exec(header);
  if (quoted?.[1] !== undefined) return quoted[1].replace(/\\(.)/g, '$1');
  const bare = /filename\s*=\s*([^;\s]+)/i.exec(header);
  return bare?.[1] ?? null;
}

/** Only the last path segment, without control characters: a name to save under, never a path. */
function safeName(name: string): string {
  const printable = [...name].filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f).join('');
  return printable.split(/[\\/]/).pop() || 'report';
}

export async function download(jobId: string, format: string): Promise<string> {
  const res = await api.report(jobId, format);
  const blob = await res.blob();
  const name = safeName(
    dispositionFilename(res.headers.get('Content-Disposition')) ?? `flowhawk-${jobId}.${format}`,
  );
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, class: 'visually-hidden' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

export function downloads(job: Job, formats: readonly string[]): HTMLElement {
  const status = h('p', { class: 'note', id: 'download-status', 'aria-live': 'polite' });
  const buttons = formats.map((format) => {
    const button = h(
      'button',
      { type: 'button', class: format === 'html' ? 'primary' : null, 'data-format': format },
      FORMAT_LABELS[format] ?? format,
    );
    button.addEventListener('click', async () => {
      button.disabled = true;
      status.classList.remove('error');
      status.textContent = `Preparing ${FORMAT_LABELS[format] ?? format}…`;
      try {
        const name = await download(job.id, format);
        status.textContent = `Downloaded ${name}.`;
      } catch (err) {
        const e = errorText(err);
        status.textContent = `Could not download: ${e.message}${e.hint ? ` ${e.hint}` : ''}`;
        status.classList.add('error');
      } finally {
        button.disabled = false;
      }
    });
    return button;
  });
  return h(
    'section',
    { class: 'panel', id: 'downloads' },
    h('h2', null, 'Download the report'),
    h('p', { class: 'buttons' }, buttons),
    status,
  );
}

const EXAMPLE: AllowlistEntry[] = [
  { reason: 'our vulnerability scanner', cidr: ['10.0.5.20/32'], role: 'actor', detector: ['portscan'] },
];

export function rerunForm(job: Job, onQueued: (job: Job) => void): HTMLElement {
  const text = h('textarea', {
    id: 'rerun-allowlist',
    name: 'allowlist',
    rows: 8,
    spellcheck: 'false',
    'aria-describedby': 'rerun-help',
  });
  text.value = JSON.stringify(job.allowlist, null, 2);
  const error = h('div', { class: 'error', id: 'rerun-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', id: 'rerun-button' }, 'Re-run the analysis');
  const form = h(
    'form',
    { class: 'rerun', id: 'rerun-form', novalidate: true },
    h(
      'p',
      { class: 'note', id: 'rerun-help' },
      'The allowlist as JSON: an array of entries, each with a reason and any of cidr, role (actor, target, either), port, direction, detector. Matching findings are kept but marked suppressed. Example: ',
      h('code', null, JSON.stringify(EXAMPLE)),
    ),
    text,
    h('p', null, submit),
    error,
  );
  const showError = (message: string, hint?: string) => {
    replace(error, h('strong', null, message), hint ? h('span', { class: 'hint' }, ` ${hint}`) : null);
    error.hidden = false;
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    let allowlist: unknown;
    try {
      allowlist = JSON.parse(text.value.trim() || '[]');
    } catch (err) {
      showError(`The allowlist is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (!Array.isArray(allowlist)) {
      showError('The allowlist must be a JSON array of entries.', 'Write [] for none.');
      return;
    }
    submit.disabled = true;
    try {
      onQueued(await api.rerun(job.id, allowlist as AllowlistEntry[]));
    } catch (err) {
      const m = errorText(err);
      showError(m.message, m.hint);
    } finally {
      submit.disabled = false;
    }
  });
  return h(
    'details',
    { class: 'panel', id: 'rerun' },
    h('summary', null, h('h2', null, 'Re-run with an allowlist')),
    form,
  );
}

export function deleteButton(job: Job, onDeleted: () => void): HTMLElement {
  const status = h('span', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'button', class: 'danger', id: 'delete-job' }, 'Delete this job');
  button.addEventListener('click', async () => {
    if (!confirm(`Delete the job "${job.name || job.id}" and its data?`)) return;
    button.disabled = true;
    try {
      await api.deleteJob(job.id);
      onDeleted();
    } catch (err) {
      const e = errorText(err);
      status.textContent = ` ${e.message}${e.hint ? ` ${e.hint}` : ''}`;
      button.disabled = false;
    }
  });
  return h('p', { class: 'delete' }, button, status);
}
