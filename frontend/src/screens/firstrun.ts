import type { Api } from '../api';
import { ApiError } from '../api';
import { field, h, setFieldError } from '../dom';
import { MIN_ACCEPTED, passphraseStrength } from '../strength';

/** First run: create the vault with a passphrase typed twice. */
export function firstRunScreen(api: Api, path: string, done: () => void): HTMLElement {
  const meter = h('meter', { id: 'strength-meter', min: '0', max: '4', value: '0', 'aria-label': 'Passphrase strength' });
  const hint = h('p', { id: 'strength', class: 'hint', 'aria-live': 'polite' }, 'Strength: enter a passphrase');
  const p1 = field(
    'passphrase',
    'Passphrase',
    { type: 'password', autocomplete: 'new-password', required: true, 'aria-describedby': 'strength err-passphrase' },
    h('div', { class: 'strength' }, meter, hint),
  );
  const p2 = field('passphrase2', 'Repeat passphrase', { type: 'password', autocomplete: 'new-password', required: true });
  const submit = h('button', { type: 'submit', id: 'create', class: 'primary' }, 'Create vault');

  p1.input.addEventListener('input', () => {
    const s = passphraseStrength(p1.input.value);
    meter.value = s.score;
    hint.textContent = `Strength: ${s.label}` + (s.hints.length ? ` — ${s.hints.join('; ')}` : '');
    setFieldError(p1.input, p1.error, '');
  });
  p2.input.addEventListener('input', () => setFieldError(p2.input, p2.error, ''));

  const form = h(
    'form',
    { id: 'create-form', novalidate: true },
    p1.wrap,
    p2.wrap,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const a = p1.input.value;
    const b = p2.input.value;
    const s = passphraseStrength(a);
    setFieldError(p1.input, p1.error, '');
    setFieldError(p2.input, p2.error, '');
    if (a === '') return setFieldError(p1.input, p1.error, 'Enter a passphrase.'), p1.input.focus();
    if (s.score < MIN_ACCEPTED) {
      setFieldError(p1.input, p1.error, `This passphrase is ${s.label}: ${s.hints.join('; ') || 'choose a longer one'}.`);
      return p1.input.focus();
    }
    if (a !== b) {
      setFieldError(p2.input, p2.error, 'The passphrases do not match.');
      return p2.input.focus();
    }
    submit.disabled = true;
    submit.textContent = 'Creating…';
    api.create(a).then(
      () => {
        p1.input.value = '';
        p2.input.value = '';
        done();
      },
      (e: ApiError) => {
        submit.disabled = false;
        submit.textContent = 'Create vault';
        setFieldError(p1.input, p1.error, e.fieldMessage('passphrase') ?? e.message);
        p1.input.focus();
      },
    );
  });

  return h(
    'main',
    { class: 'card', id: 'screen-first-run', 'aria-labelledby': 'title' },
    h('h1', { id: 'title' }, 'Create vault'),
    h(
      'p',
      {},
      'The vault keeps the global shared secrets for DevOps and Jira encrypted on this machine. ',
      'Choose a passphrase you can remember: it cannot be recovered.',
    ),
    h('p', { class: 'muted' }, 'Vault file: ', h('code', {}, path)),
    form,
  );
}
