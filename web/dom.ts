/**
 * The only way the page builds DOM: `h(tag, attrs, ...children)` makes an element, sets attributes
 * with setAttribute (never event-handler or style attributes, which are refused), and appends
 * children as nodes or as text. No HTML string is ever parsed, so a file name, an address or an
 * error message from the API can only ever become text.
 */

export type Child = Node | string | number | null | undefined | false | readonly Child[];

export interface Attrs {
  [name: string]: string | number | boolean | null | undefined | EventListener;
}

const EVENT = /^on[A-Z]/;
/** attributes that navigate or load: never a javascript: URL, whatever builds the value */
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'xlink:href']);

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [name, value] of Object.entries(attrs)) {
      if (value == null || value === false) continue;
      if (EVENT.test(name)) {
        // onClick → addEventListener('click'): a function, never a string of code
        if (typeof value !== 'function') throw new TypeError(`${name} must be a function`);
        el.addEventListener(name.slice(2).toLowerCase(), value);
        continue;
      }
      const lower = name.toLowerCase();
      if (lower.startsWith('on') || lower === 'style' || lower === 'srcdoc')
        throw new TypeError(`h() does not set the ${name} attribute`);
      if (typeof value === 'function') throw new TypeError(`${name} cannot be a function`);
      const text = value === true ? '' : String(value);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: browsers ignore these before a scheme
      if (URL_ATTRIBUTES.has(lower) && /^[\u0000-\u0020]*(javascript|vbscript|data:text\/html)/i.test(text))
        throw new TypeError(`h() does not set ${name} to a script URL`);
      el.setAttribute(name, text);
    }
  }
  append(el, children);
  return el;
}

/** Appends children: nodes as they are, strings and numbers as text nodes, arrays flattened. */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}

/** A bar's length as a CSSOM property (allowed by the page's CSP, unlike a style attribute). */
export function setWidth(el: HTMLElement, fraction: number): HTMLElement {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  el.style.width = `${(f * 100).toFixed(1)}%`;
  return el;
}

/** A horizontal bar inside a cell: the value's share of the largest one. */
export function bar(fraction: number, className = 'bar'): HTMLElement {
  return setWidth(h('span', { class: className, 'aria-hidden': 'true' }), fraction);
}
