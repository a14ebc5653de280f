/**
 * The upload panel: a drop zone that takes files and folders (folders are walked with
 * webkitGetAsEntry), a file picker and a folder picker, an optional job name, and an upload with
 * XMLHttpRequest so the bar shows bytes sent. Each part's filename is the file's relative path.
 */
import type { Job, ServerInfo } from '../src/server/apiTypes.js';
import { currentToken, requireToken } from './api.js';
import { h, replace, setWidth } from './dom.js';
import { bytes, limit, num, percent } from './format.js';

/** A file to send and the name it goes under (its path inside a dropped or picked folder). */
export interface Picked {
  file: File;
  path: string;
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function readBatch(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

/** Every file under an entry, depth first in name order; readEntries returns a folder in batches. */
export async function walkEntry(entry: FileSystemEntry, out: Picked[]): Promise<void> {
  if (entry.isFile) {
    const file = await fileOf(entry as FileSystemFileEntry);
    out.push({ file, path: entry.fullPath.replace(/^\/+/, '') || file.name });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  for (;;) {
    const batch = await readBatch(reader);
    if (batch.length === 0) break;
    children.push(...batch);
  }
  children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of children) await walkEntry(child, out);
}

/** The files of a drop. Entries must be taken before the first await: the list dies with the event. */
export async function filesFromDrop(dt: DataTransfer): Promise<Picked[]> {
  const entries = [...dt.items]
    .filter((item) => item.kind === 'file')
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  const plain = [...dt.files];
  if (entries.length === 0 || entries.some((e) => e === null))
    return plain.map((file) => ({ file, path: file.name }));
  const out: Picked[] = [];
  for (const entry of entries) if (entry) await walkEntry(entry, out);
  return out;
}

export function filesFromInput(input: HTMLInputElement): Picked[] {
  return [...(input.files ?? [])].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
}

export interface UploadResult {
  status: number;
  body: unknown;
}

/** POSTs the form with XMLHttpRequest (fetch cannot report upload progress). */
export function sendForm(
  form: FormData,
  onProgress: (sent: number, total: number) => void,
  token: string | null,
): { done: Promise<UploadResult>; abort(): void } {
  const xhr = new XMLHttpRequest();
  const done = new Promise<UploadResult>((resolve, reject) => {
    xhr.open('POST', '/api/jobs');
    xhr.setRequestHeader('Accept', 'application/json');
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = xhr.responseText;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () =>
      reject(new Error('The upload was cut off: the connection failed or the server closed it.'));
    xhr.onabort = () => reject(new Error('The upload was cancelled.'));
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}

function uploadError(result: UploadResult): { message: string; hint?: string } {
  const body = result.body as { error?: unknown; hint?: unknown } | string | null;
  if (body && typeof body === 'object' && typeof body.error === 'string')
    return { message: body.error, hint: typeof body.hint === 'string' ? body.hint : undefined };
  if (result.status === 413) return { message: 'The upload is too large for this server (413).' };
  return { message: `The server answered ${result.status}.` };
}

export function uploadPanel(info: ServerInfo | null, onUploaded: (job: Job) => void): HTMLElement {
  const selected = new Map<string, Picked>();
  /** in path order: a folder's files as they sit in it, whatever order the browser listed them */
  const chosen = () =>
    [...selected.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const fileInput = h('input', {
    type: 'file',
    multiple: true,
    id: 'file-input',
    class: 'visually-hidden',
    'aria-label': 'Choose flow log files',
  });
  const folderInput = h('input', {
    type: 'file',
    multiple: true,
    webkitdirectory: true,
    id: 'folder-input',
    class: 'visually-hidden',
    'aria-label': 'Choose a folder of flow logs',
  });
  const nameInput = h('input', {
    type: 'text',
    id: 'upload-name',
    name: 'name',
    maxlength: 200,
    placeholder: 'e.g. prod VPC, week 12',
    autocomplete: 'off',
  });
  const list = h('ul', { class: 'picked', id: 'picked-files' });
  const summary = h('p', { class: 'note', id: 'picked-summary' });
  const uploadButton = h(
    'button',
    { type: 'submit', class: 'primary', id: 'upload-button', disabled: true },
    'Upload and scan',
  );
  const cancelButton = h('button', { type: 'button', id: 'upload-cancel', hidden: true }, 'Cancel');
  const clearButton = h('button', { type: 'button', id: 'clear-files', disabled: true }, 'Clear');
  const fill = h('div', { class: 'fill' });
  const track = h(
    'div',
    {
      class: 'progress upload-track',
      role: 'progressbar',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': 0,
    },
    fill,
  );
  const progressText = h('span', { class: 'progress-text', id: 'upload-progress-text' });
  const progress = h(
    'div',
    { class: 'upload-progress', id: 'upload-progress', hidden: true },
    track,
    progressText,
  );
  const error = h('div', { class: 'error', id: 'upload-error', role: 'alert', hidden: true });
  let busy = false;

  const cap = info?.maxUploadBytes ?? 0;
  const tooBig = (p: Picked) => cap > 0 && p.file.size > cap;

  function showError(message: string, hint?: string) {
    replace(error, h('strong', null, message), hint ? h('span', { class: 'hint' }, ` ${hint}`) : null);
    error.hidden = false;
  }

  function refresh() {
    const files = chosen();
    const total = files.reduce((s, p) => s + p.file.size, 0);
    const shown = files.slice(0, 200);
    replace(
      list,
      shown.map((p) =>
        h(
          'li',
          { class: tooBig(p) ? 'too-big' : null },
          h('span', { class: 'path' }, p.path),
          ' ',
          h('span', { class: 'size' }, bytes(p.file.size)),
          tooBig(p) ? h('span', { class: 'warn' }, ` over the ${limit(cap)} limit`) : null,
        ),
      ),
      files.length > shown.length
        ? h('li', { class: 'note' }, `and ${num(files.length - shown.length)} more`)
        : null,
    );
    summary.textContent =
      files.length === 0 ? 'No files chosen.' : `${num(files.length)} file(s), ${bytes(total)} in all.`;
    uploadButton.disabled = busy || files.length === 0;
    clearButton.disabled = busy || files.length === 0;
  }

  function add(picked: Picked[]) {
    if (busy) return;
    for (const p of picked) selected.set(p.path, p);
    error.hidden = true;
    refresh();
  }

  fileInput.addEventListener('change', () => {
    add(filesFromInput(fileInput));
    fileInput.value = '';
  });
  folderInput.addEventListener('change', () => {
    add(filesFromInput(folderInput));
    folderInput.value = '';
  });

  const zone = h(
    'div',
    {
      class: 'dropzone',
      id: 'dropzone',
      tabindex: 0,
      role: 'group',
      'aria-label': 'Drop flow log files or folders',
    },
    h('p', { class: 'drop-title' }, 'Drop flow log files or folders here'),
    h(
      'p',
      { class: 'note' },
      'VPC Flow Logs as S3 delivers them (.log.gz, .log, Parquet), CloudWatch or Firehose exports, Zeek conn.log, Argus CSV: the server recognises the content, not the name.',
      cap > 0 ? ` Up to ${limit(cap)} per file.` : '',
    ),
    h(
      'p',
      { class: 'pickers' },
      h('button', { type: 'button', id: 'pick-files', onClick: () => fileInput.click() }, 'Choose files'),
      ' ',
      h(
        'button',
        { type: 'button', id: 'pick-folder', onClick: () => folderInput.click() },
        'Choose a folder',
      ),
    ),
    fileInput,
    folderInput,
  );
  zone.addEventListener('keydown', (e) => {
    if (e.target === zone && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      fileInput.click();
    }
  });
  let depth = 0;
  zone.addEventListener('dragenter', (e) => {
    e.preventDefault();
    depth++;
    zone.classList.add('over');
  });
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove('over');
  });
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    zone.classList.remove('over');
    if (!e.dataTransfer) return;
    filesFromDrop(e.dataTransfer).then(add, (err: unknown) =>
      showError(`Could not read the dropped files: ${err instanceof Error ? err.message : String(err)}`),
    );
  });

  clearButton.addEventListener('click', () => {
    selected.clear();
    error.hidden = true;
    progress.hidden = true;
    refresh();
  });

  let current: { abort(): void } | null = null;
  cancelButton.addEventListener('click', () => current?.abort());

  function setProgress(sent: number, total: number) {
    const p = percent(sent, total);
    setWidth(fill, p / 100);
    track.setAttribute('aria-valuenow', String(Math.round(p)));
    progressText.textContent = `${bytes(sent)} of ${bytes(total)} sent (${Math.floor(p)}%)`;
  }

  async function upload() {
    const files = chosen();
    if (files.length === 0 || busy) return;
    const big = files.filter(tooBig);
    if (big.length > 0) {
      showError(
        `${big.length === 1 ? `${big[0]?.path} is` : `${big.length} files are`} over this server's limit of ${limit(cap)} per file.`,
        'Split the file, or start the server with a larger --max-upload-size.',
      );
      return;
    }
    busy = true;
    refresh();
    error.hidden = true;
    progress.hidden = false;
    cancelButton.hidden = false;
    const total = files.reduce((s, p) => s + p.file.size, 0);
    setProgress(0, total);
    try {
      for (;;) {
        const form = new FormData();
        const name = nameInput.value.trim();
        if (name) form.append('name', name);
        for (const p of files) form.append('files', p.file, p.path);
        const token = currentToken();
        const sending = sendForm(form, setProgress, token);
        current = sending;
        const result = await sending.done;
        current = null;
        if (result.status === 401) {
          await requireToken(token);
          setProgress(0, total);
          continue;
        }
        if (result.status === 201 || result.status === 200) {
          progressText.textContent = `Uploaded ${num(files.length)} file(s), ${bytes(total)}.`;
          setWidth(fill, 1);
          selected.clear();
          nameInput.value = '';
          onUploaded(result.body as Job);
        } else {
          const e = uploadError(result);
          showError(e.message, e.hint);
        }
        break;
      }
    } catch (err) {
      showError(err instanceof Error ? err.message : String(err));
    } finally {
      current = null;
      busy = false;
      cancelButton.hidden = true;
      refresh();
    }
  }

  const form = h(
    'form',
    { class: 'upload', id: 'upload-form', novalidate: true },
    zone,
    h('div', { class: 'picked-block' }, summary, list),
    h(
      'p',
      { class: 'row' },
      h('label', { for: 'upload-name' }, 'Job name (optional) '),
      nameInput,
      ' ',
      uploadButton,
      ' ',
      clearButton,
      ' ',
      cancelButton,
    ),
    progress,
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void upload();
  });
  refresh();
  return h('section', { class: 'panel', id: 'upload' }, h('h2', null, 'New scan'), form);
}
