/** The access-token form, shown when the server answers 401; the token is kept in sessionStorage. */
import { h } from './dom.js';

export function tokenPrompt(rejected: boolean): Promise<string> {
  return new Promise((resolve) => {
    const input = h('input', {
      type: 'password',
      id: 'token-input',
      name: 'token',
      required: true,
      autocomplete: 'current-password',
      spellcheck: 'false',
    });
    // browsers expect a user name beside a password; the token has none
    const user = h('input', {
      type: 'text',
      name: 'username',
      autocomplete: 'username',
      value: 'flowhawk',
      hidden: true,
    });
    const form = h(
      'form',
      { id: 'token-form', class: 'token-form' },
      user,
      h('h2', { id: 'token-title' }, 'Access token'),
      h(
        'p',
        { class: rejected ? 'error' : 'note', id: 'token-message' },
        rejected
          ? 'The server refused that token. Enter the token the server was started with.'
          : 'This server needs the access token it was started with (flowhawk serve --token, or FLOWHAWK_TOKEN). It is kept for this tab only.',
      ),
      h(
        'p',
        null,
        h('label', { for: 'token-input' }, 'Token '),
        input,
        ' ',
        h('button', { type: 'submit', class: 'primary' }, 'Continue'),
      ),
    );
    const dialog = h('dialog', { id: 'token-dialog', 'aria-labelledby': 'token-title' }, form);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const token = input.value.trim();
      if (!token) {
        input.focus();
        return;
      }
      dialog.close();
      dialog.remove();
      resolve(token);
    });
    // the page cannot work without it: Escape does not dismiss the form
    dialog.addEventListener('cancel', (e) => e.preventDefault());
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}
