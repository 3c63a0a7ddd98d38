// Live taps over Server-Sent Events. The server sends one aggregated event per 0.5 s whatever
// the tap rate (gateway/src/live/feed.ts), so the page does a fixed, small amount of work and
// never falls behind; the note on screen says the table is a sample.
import { columns } from './charts.js';
import { t } from './i18n.js';
import { h, num, reasonText, time, where, yuan } from './util.js';

const KEEP_ROWS = 60;
const HISTORY = 120; // ticks: 60 s

export function mount(root, me) {
  const tiles = {
    rate: h('div', { class: 'v', 'data-testid': 'live-rate' }, '0'),
    denied: h('div', { class: 'v' }, '0'),
    revenue: h('div', { class: 'v' }, '0.00'),
    total: h('div', { class: 'v', 'data-testid': 'live-total' }, '0'),
  };
  const state = h('span', { class: 'badge' }, '…');
  const sampling = h('span', { class: 'badge' }, t('live.all'));
  const chart = h('div');
  const body = h('tbody', {}, h('tr', {}, h('td', { colspan: 8, class: 'note' }, t('live.waiting'))));
  root.append(
    h(
      'div',
      { class: 'row' },
      h('h1', {}, t('live.title')),
      state,
      sampling,
      h('span', { class: 'spacer' }),
      me.tenant ? h('span', { class: 'badge' }, me.tenant) : '',
    ),
    h('p', { class: 'note', 'data-testid': 'live-note' }, t('live.sampled')),
    h(
      'div',
      { class: 'tiles' },
      h('div', { class: 'tile' }, h('div', { class: 'k' }, t('live.rate')), tiles.rate),
      h('div', { class: 'tile bad' }, h('div', { class: 'k' }, t('live.denied')), tiles.denied),
      h('div', { class: 'tile' }, h('div', { class: 'k' }, t('live.revenue')), tiles.revenue),
      h('div', { class: 'tile' }, h('div', { class: 'k' }, t('live.total')), tiles.total),
    ),
    h('div', { class: 'card' }, h('h2', {}, t('live.chart')), chart),
    h(
      'div',
      { class: 'card table-wrap' },
      h(
        'table',
        { 'data-testid': 'live-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['col.time', 'col.card', 'col.operator', 'col.device', 'col.where', 'col.dir'].map((k) =>
              h('th', {}, t(k)),
            ),
            h('th', { class: 'num' }, t('col.fare')),
            h('th', {}, t('col.reason')),
          ),
        ),
        body,
      ),
    ),
  );

  // A fixed window of ticks, oldest left, so bars keep their width as time passes.
  const history = Array.from({ length: HISTORY }, () => ({ label: '', value: 0, alt: 0 }));
  let total = 0;
  let empty = true;
  const source = new EventSource('/v1/live');
  source.onopen = () => {
    state.className = 'badge ok';
    state.textContent = t('live.connected');
  };
  source.onerror = () => {
    state.className = 'badge bad';
    state.textContent = t('live.offline');
  };
  source.addEventListener('taps', (msg) => {
    const e = JSON.parse(msg.data);
    const perSecond = 1000 / e.windowMs;
    total += e.taps;
    tiles.rate.textContent = num(Math.round(e.taps * perSecond));
    tiles.denied.textContent = num(Math.round(e.denied * perSecond));
    tiles.revenue.textContent = yuan(e.chargedFen * perSecond);
    tiles.total.textContent = num(total);
    const sampled = e.taps > e.sample.length;
    sampling.className = sampled ? 'badge warn' : 'badge';
    sampling.textContent = sampled
      ? `${t('live.sampling')} ${e.sample.length}/${num(e.taps)}`
      : t('live.all');
    history.push({ label: '', value: e.taps, alt: e.denied });
    history.shift();
    chart.replaceChildren(
      columns(history, { width: 1000, height: 130, format: num, title: t('live.chart') }),
    );
    if (e.sample.length === 0) return;
    if (empty) {
      body.replaceChildren();
      empty = false;
    }
    const rows = e.sample.map((r) =>
      h(
        'tr',
        { class: `fresh${r.edgeDecision === 'deny' ? ' deny' : ''}`, 'data-id': r.id },
        h('td', {}, time(r.at)),
        h('td', { class: 'mono' }, r.cardMasked),
        h('td', {}, r.operatorId),
        h('td', {}, r.deviceId),
        h('td', {}, where(r)),
        h('td', {}, r.direction),
        h('td', { class: 'num' }, yuan(r.chargedFen)),
        h('td', {}, reasonText(r.reason)),
      ),
    );
    body.prepend(...rows.reverse());
    while (body.children.length > KEEP_ROWS) body.lastElementChild.remove();
  });
  return () => source.close();
}
