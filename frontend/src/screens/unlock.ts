import type { Api } from '../api';
import { ApiError } from '../api';
import { field, h, setFieldError } from '../dom';

/** Unlock: one passphrase field; a wrong passphrase is reported beside it. */
export function unlockScreen(api: Api, path: string, done: () => void): HTMLElement {
  const p = field('passphrase', 'Passphrase', { type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', id: 'unlock', class: 'primary' }, 'Unlock');
  p.input.addEventListener('input', () => setFieldError(p.input, p.error, ''));

  const form = h('form', { id: 'unlock-form', novalidate: true }, p.wrap, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (p.input.value === '') {
      setFieldError(p.input, p.error, 'Enter the passphrase.');
      return p.input.focus();
    }
    submit.disabled = true;
    submit.textContent = 'Unlocking…';
    api.unlock(p.input.value).then(
      () => {
        p.input.value = '';
        done();
      },
      (e: ApiError) => {
        submit.disabled = false;
        submit.textContent = 'Unlock';
        const msg = e.code === 'wrong_passphrase' ? 'Wrong passphrase.' : (e.fieldMessage('passphrase') ?? e.message);
        setFieldError(p.input, p.error, msg);
        p.input.select();
        p.input.focus();
      },
    );
  });

  return h(
    'main',
    { class: 'card', id: 'screen-unlock', 'aria-labelledby': 'title' },
    h('h1', { id: 'title' }, 'Unlock vault'),
    h('p', { class: 'muted' }, 'Vault file: ', h('code', {}, path)),
    form,
  );
}
