// Card service at the counter: find a card by number (sent in a request body, never a URL) or
// token; see its status, balance and records; top up, report lost, unfreeze.
import { t } from './i18n.js';
import { api, errorText, h, reasonText, time, toast, where, yuan } from './util.js';

export function mount(root, me) {
  const canWrite = me.permissions.includes('cards:write');
  const find = h('input', {
    name: 'card',
    placeholder: t('cards.find'),
    autocomplete: 'off',
    'aria-label': t('cards.find'),
  });
  const error = h('p', { class: 'error', role: 'alert' });
  const panel = h('div');
  root.append(
    h('h1', {}, t('cards.title')),
    h(
      'div',
      { class: 'card' },
      h(
        'form',
        {
          class: 'row',
          'data-testid': 'card-find',
          onsubmit: (e) => {
            e.preventDefault();
            void lookup();
          },
        },
        find,
        h('button', { type: 'submit' }, t('cards.lookup')),
      ),
      error,
    ),
    panel,
  );

  let token;

  async function lookup() {
    error.textContent = '';
    const v = find.value.trim();
    try {
      const card = /^[0-9a-f]{32}$/.test(v)
        ? await api('GET', `/v1/cards/${v}`)
        : await api('POST', '/v1/cards/lookup', { cardNumber: v });
      token = card.token;
      await show(card);
    } catch (err) {
      panel.replaceChildren();
      error.textContent = err.status === 404 ? t('cards.notFound') : errorText(err);
    }
  }

  async function act(fn) {
    error.textContent = '';
    try {
      await fn();
      toast(t('cards.done'));
      await show(await api('GET', `/v1/cards/${token}`));
    } catch (err) {
      error.textContent = errorText(err);
    }
  }

  async function show(card) {
    const records = await api('GET', `/v1/cards/${card.token}/records?limit=20`);
    const statusCls = card.status === 'active' ? 'badge ok' : 'badge bad';
    const amount = h('input', {
      name: 'amount',
      type: 'number',
      min: '0.01',
      step: '0.01',
      value: '50',
      'aria-label': t('cards.amount'),
    });
    panel.replaceChildren(
      h(
        'div',
        { class: 'card', 'data-testid': 'card-panel' },
        h(
          'div',
          { class: 'cardpanel' },
          h(
            'div',
            {},
            h('div', { class: 'note' }, t('cards.masked')),
            h('div', { class: 'mono' }, card.masked),
          ),
          h(
            'div',
            {},
            h('div', { class: 'note' }, t('cards.status')),
            h('span', { class: statusCls, 'data-testid': 'card-status' }, t(`status.${card.status}`)),
          ),
          h(
            'div',
            {},
            h('div', { class: 'note' }, t('cards.balance')),
            h('div', { class: 'tile-v', 'data-testid': 'card-balance' }, yuan(card.balanceFen)),
          ),
          h(
            'div',
            {},
            h('div', { class: 'note' }, t('cards.concessions')),
            card.concessions.join(', ') || '—',
          ),
        ),
        canWrite
          ? h(
              'div',
              { class: 'row' },
              h('label', {}, h('span', {}, t('cards.amount')), amount),
              h(
                'button',
                {
                  type: 'button',
                  'data-testid': 'topup',
                  onclick: () =>
                    act(() =>
                      api('POST', `/v1/cards/${card.token}/topups`, {
                        amountFen: Math.round(Number(amount.value) * 100),
                        requestId: `console-${crypto.randomUUID()}`,
                        channel: 'console',
                        // Money taken at the counter (docs/decisions/0151: a reason from a closed list).
                        reason: 'cash',
                      }),
                    ),
                },
                t('cards.topup'),
              ),
              h('span', { class: 'spacer' }),
              card.status === 'active'
                ? h(
                    'button',
                    {
                      type: 'button',
                      class: 'danger',
                      'data-testid': 'lost',
                      onclick: () =>
                        confirm(t('cards.confirmLost')) &&
                        act(() => api('POST', `/v1/cards/${card.token}/lost`, {})),
                    },
                    t('cards.lost'),
                  )
                : h(
                    'button',
                    {
                      type: 'button',
                      class: 'ghost',
                      'data-testid': 'found',
                      onclick: () => act(() => api('POST', `/v1/cards/${card.token}/found`, {})),
                    },
                    t('cards.found'),
                  ),
            )
          : '',
      ),
      h(
        'div',
        { class: 'card table-wrap' },
        h('h2', {}, t('cards.records')),
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, t('col.time')),
              h('th', {}, t('col.kind')),
              h('th', {}, t('col.where')),
              h('th', { class: 'num' }, t('col.fare')),
              h('th', { class: 'num' }, t('col.balance')),
              h('th', {}, t('col.reason')),
            ),
          ),
          h(
            'tbody',
            {},
            records.items.map((r) =>
              h(
                'tr',
                { class: r.edgeDecision === 'deny' ? 'deny' : '' },
                h('td', {}, time(r.at, true)),
                h('td', {}, r.kind),
                h('td', {}, where(r) || r.deviceId),
                h('td', { class: 'num' }, r.kind === 'topup' ? `+${yuan(r.amountFen)}` : yuan(r.chargedFen)),
                h('td', { class: 'num' }, yuan(r.balanceAfterFen)),
                h('td', {}, reasonText(r.reason)),
              ),
            ),
          ),
        ),
      ),
    );
  }
}
