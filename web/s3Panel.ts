/**
 * "Read from S3": shown only when the server allows S3 locations (serve --s3-source). The server
 * lists and reads the bucket with its own credentials; the page names a location within the allowed
 * ones and a window (24h, 7d, an ISO time), which the server fixes when it makes the job.
 */
import type { Job, ServerInfo } from '../src/server/apiTypes.js';
import { ApiError, api } from './api.js';
import { h, replace } from './dom.js';

export function s3Panel(info: ServerInfo | null, onCreated: (job: Job) => void): HTMLElement | null {
  const allowed = info?.s3Sources ?? [];
  if (allowed.length === 0) return null;
  const url = h('input', {
    type: 'text',
    id: 's3-url',
    value: allowed[0] ?? '',
    size: 60,
    spellcheck: false,
    'aria-describedby': 's3-allowed',
  });
  const since = h('input', { type: 'text', id: 's3-since', value: '24h', size: 22, spellcheck: false });
  const until = h('input', { type: 'text', id: 's3-until', placeholder: 'now', size: 22, spellcheck: false });
  const button = h('button', { type: 'submit', class: 'primary', id: 's3-button' }, 'Read from S3');
  const error = h('div', { class: 'error', id: 's3-error', role: 'alert', hidden: true });

  async function submit(e: Event) {
    e.preventDefault();
    error.hidden = true;
    button.disabled = true;
    try {
      const job = await api.s3Job({
        url: url.value.trim(),
        ...(since.value.trim() ? { since: since.value.trim() } : {}),
        ...(until.value.trim() ? { until: until.value.trim() } : {}),
      });
      onCreated(job);
    } catch (err) {
      const hint = err instanceof ApiError ? err.hint : undefined;
      replace(
        error,
        h('strong', null, err instanceof Error ? err.message : String(err)),
        hint ? h('span', { class: 'hint' }, ` ${hint}`) : null,
      );
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  return h(
    'section',
    { class: 'panel', id: 's3-panel' },
    h('h2', null, 'Read from S3'),
    h(
      'form',
      { onSubmit: submit },
      h('p', null, h('label', { for: 's3-url' }, 'Location '), url),
      h(
        'p',
        null,
        h('label', { for: 's3-since' }, 'Objects written since '),
        since,
        ' ',
        h('label', { for: 's3-until' }, 'until '),
        until,
      ),
      h(
        'p',
        { class: 'note', id: 's3-allowed' },
        `This server reads within ${allowed.join(', ')} with its own AWS credentials. Times: a duration before now (24h, 7d), an ISO time, or Unix seconds.`,
      ),
      h('p', null, button),
      error,
    ),
  );
}
