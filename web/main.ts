/**
 * The flowhawk web page: routes by location.hash (`#/`, `#/jobs/ID`, `#/jobs/ID/findings/FID`) so the
 * back button works; each view gets an AbortSignal that ends its requests, streams and timers when
 * the route changes.
 */
import type { ServerInfo } from '../src/server/apiTypes.js';
import { api, errorText, setTokenPrompt } from './api.js';
import { h, replace } from './dom.js';
import { findingPage } from './findingDetail.js';
import { jobHref, jobsList } from './jobsList.js';
import { jobPage } from './jobView.js';
import { parseRoute } from './router.js';
import { s3Panel } from './s3Panel.js';
import { tokenPrompt } from './tokenPrompt.js';
import { uploadPanel } from './upload.js';

const app = document.getElementById('app') ?? document.body;
const version = document.getElementById('version');
let info: ServerInfo | null = null;
let current: AbortController | null = null;

function render() {
  current?.abort();
  const ctl = new AbortController();
  current = ctl;
  const route = parseRoute(location.hash);
  let view: HTMLElement;
  switch (route.view) {
    case 'home':
      document.title = 'flowhawk';
      view = h(
        'div',
        { id: 'home' },
        uploadPanel(info, (job) => {
          location.hash = jobHref(job.id);
        }),
        s3Panel(info, (job) => {
          location.hash = jobHref(job.id);
        }),
        jobsList(ctl.signal),
      );
      break;
    case 'job':
      view = jobPage(route.id, info, ctl.signal);
      break;
    case 'finding':
      view = findingPage(route.id, route.findingId, ctl.signal);
      break;
    default:
      document.title = 'flowhawk';
      view = h(
        'section',
        { class: 'panel' },
        h('h2', null, 'Nothing here'),
        h(
          'p',
          null,
          'No page at ',
          h('code', null, route.hash),
          '. ',
          h('a', { href: '#/' }, 'Go to the jobs.'),
        ),
      );
  }
  replace(app, view);
  window.scrollTo(0, 0);
}

async function boot() {
  setTokenPrompt(tokenPrompt);
  try {
    info = await api.info();
    if (version) version.textContent = `v${info.version}`;
  } catch (err) {
    const e = errorText(err);
    app.before(h('p', { class: 'error banner', role: 'alert' }, `Could not reach the server: ${e.message}`));
  }
  window.addEventListener('hashchange', render);
  render();
}

void boot();
