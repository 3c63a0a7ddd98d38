// The audit log (admins, auditors): who did what to which card or device, and the answer.
import { t } from './i18n.js';
import { api, errorText, h, time } from './util.js';

export function mount(root) {
  const body = h('tbody');
  const error = h('p', { class: 'error', role: 'alert' });
  const more = h('button', { class: 'ghost', type: 'button', hidden: true }, t('rec.older'));
  root.append(
    h('h1', {}, t('audit.title')),
    error,
    h(
      'div',
      { class: 'card table-wrap' },
      h(
        'table',
        { 'data-testid': 'audit-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['col.time', 'audit.actor', 'audit.role', 'audit.action', 'audit.target', 'audit.result'].map(
              (k) => h('th', {}, t(k)),
            ),
          ),
        ),
        body,
      ),
      h('div', { class: 'pager' }, more),
    ),
  );
  async function load(cursor) {
    try {
      const page = await api('GET', `/v1/audit?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      body.append(
        ...page.items.map((e) =>
          h(
            'tr',
            { class: e.status >= 400 ? 'deny' : '' },
            h('td', {}, time(e.at, true)),
            h('td', {}, e.actor),
            h('td', {}, e.role),
            h('td', { class: 'mono' }, e.action),
            h('td', { class: 'mono' }, e.target),
            h('td', {}, h('span', { class: e.status < 400 ? 'badge ok' : 'badge bad' }, String(e.status))),
          ),
        ),
      );
      more.hidden = !page.nextCursor;
      more.onclick = () => load(page.nextCursor);
    } catch (err) {
      error.textContent = errorText(err);
    }
  }
  void load();
}
