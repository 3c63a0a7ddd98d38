// Ride records: search by card (token, masked number or, for card staff, the number), line,
// station, stop, device, operator and time; keyset pages (newer/older); CSV export of the same
// search, streamed by the server. A masked number shown for several cards lists them to pick
// from (docs/decisions/0136).
import { t } from './i18n.js';
import { api, errorText, h, reasonText, time, where, yuan } from './util.js';

const PAGE = 50;

function input(name, label, attrs = {}) {
  return h('label', {}, h('span', {}, t(label)), h('input', { name, ...attrs }));
}

export function mount(root, me) {
  const form = h(
    'form',
    { class: 'filters', 'data-testid': 'records-form' },
    input('card', 'rec.card', { placeholder: 'C31****01 / a1b2…', autocomplete: 'off' }),
    input('route', 'rec.route'),
    input('station', 'rec.station'),
    input('stop', 'rec.stop'),
    input('device', 'rec.device'),
    me.tenant ? '' : input('operator', 'rec.operator'),
    input('from', 'rec.from', { type: 'datetime-local' }),
    input('to', 'rec.to', { type: 'datetime-local' }),
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit' }, t('rec.search')),
      h('a', { class: 'button ghost', href: '#', 'data-testid': 'csv' }, t('rec.csv')),
    ),
  );
  const error = h('p', { class: 'error', role: 'alert' });
  const choices = h('div', { class: 'row', 'data-testid': 'card-candidates' });
  const body = h('tbody');
  const pageNo = h('span', { class: 'note' });
  const newer = h('button', { class: 'ghost', type: 'button', disabled: true }, t('rec.newer'));
  const older = h('button', { class: 'ghost', type: 'button', disabled: true }, t('rec.older'));
  const csv = form.querySelector('[data-testid=csv]');
  // With the PostgreSQL history, searches trail the commits by the consumer's lag: say how far.
  const upTo = h('p', { class: 'note', 'data-testid': 'records-up-to' });
  api('GET', '/v1/records/up-to').then(
    (r) => {
      if (r.source === 'postgres')
        upTo.textContent = r.upToMs ? `${t('rec.upTo')} ${time(r.upToMs, true)}` : t('rec.upToNone');
    },
    () => {},
  );
  root.append(
    h('h1', {}, t('rec.title')),
    upTo,
    h('div', { class: 'card' }, form, error, choices),
    h(
      'div',
      { class: 'card table-wrap' },
      h(
        'table',
        { 'data-testid': 'records-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [
              'col.time',
              'col.kind',
              'col.card',
              'col.operator',
              'col.device',
              'col.where',
              'col.concession',
            ].map((k) => h('th', {}, t(k))),
            h('th', { class: 'num' }, t('col.fare')),
            h('th', { class: 'num' }, t('col.subsidy')),
            h('th', { class: 'num' }, t('col.balance')),
            h('th', {}, t('col.reason')),
          ),
        ),
        body,
      ),
      h('div', { class: 'pager' }, newer, older, pageNo),
    ),
  );

  let filters = new URLSearchParams();
  const cursors = [undefined];
  // Only the newest request may fill the table: an earlier answer arriving late is dropped.
  let latest = 0;

  function showCandidates(candidates) {
    choices.replaceChildren(
      h('span', { class: 'note' }, t('rec.ambiguous')),
      ...candidates.map((c) =>
        h(
          'button',
          {
            type: 'button',
            class: 'ghost mono',
            'data-token': c.cardToken,
            onclick: () => {
              form.elements.card.value = c.cardToken;
              form.requestSubmit();
            },
          },
          `${c.cardMasked} · ${c.cardToken.slice(0, 8)}… · ${time(c.lastAt, true)}`,
        ),
      ),
    );
  }

  async function filtersFromForm() {
    const f = new FormData(form);
    const q = new URLSearchParams();
    let card = String(f.get('card') ?? '').trim();
    if (card && !/^[0-9a-f]{32}$/.test(card) && !card.includes('*')) {
      // A card number never goes into a URL: only staff who may look cards up turn it into
      // the token. Tokens and masked numbers go as they are.
      card = (await api('POST', '/v1/cards/lookup', { cardNumber: card })).token;
    }
    if (card) q.set('card', card);
    for (const k of ['route', 'station', 'stop', 'device', 'operator']) {
      const v = String(f.get(k) ?? '').trim();
      if (v) q.set(k, v);
    }
    for (const k of ['from', 'to']) {
      const v = f.get(k);
      if (v) q.set(k, String(new Date(v).getTime()));
    }
    return q;
  }

  async function load(index) {
    error.textContent = '';
    choices.replaceChildren();
    const q = new URLSearchParams(filters);
    q.set('limit', String(PAGE));
    if (cursors[index]) q.set('cursor', cursors[index]);
    const mine = ++latest;
    try {
      const page = await api('GET', `/v1/records?${q}`);
      if (mine !== latest) return;
      cursors[index + 1] = page.nextCursor;
      cursors.length = index + 2;
      body.replaceChildren(
        ...(page.items.length === 0
          ? [h('tr', {}, h('td', { colspan: 11, class: 'note' }, t('rec.none')))]
          : []),
        ...page.items.map((r) =>
          h(
            'tr',
            { class: r.edgeDecision === 'deny' ? 'deny' : '', 'data-id': r.id },
            h('td', {}, time(r.at, true)),
            h('td', {}, r.kind),
            h('td', { class: 'mono', title: r.cardToken }, r.cardMasked),
            h('td', {}, r.operatorId),
            h('td', {}, r.deviceId),
            h('td', {}, where(r)),
            h('td', {}, r.kind === 'ride' || r.kind === 'adjustment' ? t(`conc.${r.concession}`) : ''),
            h('td', { class: 'num' }, r.kind === 'topup' ? `+${yuan(r.amountFen)}` : yuan(r.chargedFen)),
            h('td', { class: 'num' }, r.subsidyFen ? yuan(r.subsidyFen) : ''),
            h('td', { class: 'num' }, yuan(r.balanceAfterFen)),
            h('td', {}, reasonText(r.reason)),
          ),
        ),
      );
      newer.disabled = index === 0;
      older.disabled = !page.nextCursor;
      pageNo.textContent = t('rec.page', { n: index + 1 });
      older.onclick = () => load(index + 1);
      newer.onclick = () => load(index - 1);
    } catch (err) {
      if (mine !== latest) return;
      if (err.code === 'CARD_AMBIGUOUS') {
        body.replaceChildren();
        showCandidates(err.problem.candidates ?? []);
      } else error.textContent = errorText(err);
    }
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      filters = await filtersFromForm();
    } catch (err) {
      error.textContent = errorText(err);
      return;
    }
    csv.href = `/v1/records.csv?${filters}`;
    cursors.length = 1;
    await load(0);
  });
  csv.href = '/v1/records.csv';
  void load(0);
}
