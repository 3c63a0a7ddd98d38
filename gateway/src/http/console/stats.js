// Ridership and revenue from the server's hourly counters: totals, rides per hour, revenue
// per line, rides per concession group with free (subsidised) rides.
import { bars, columns } from './charts.js';
import { t } from './i18n.js';
import { api, errorText, h, num, yuan } from './util.js';

const HOUR = 3_600_000;
const ranges = { today: 24 * HOUR, week: 7 * 24 * HOUR, month: 30 * 24 * HOUR };

export function mount(root) {
  const select = h(
    'select',
    { name: 'range', 'aria-label': t('stats.range') },
    Object.keys(ranges).map((k) => h('option', { value: k }, t(`stats.${k}`))),
  );
  const content = h('div');
  root.append(
    h('div', { class: 'row' }, h('h1', {}, t('stats.title')), h('span', { class: 'spacer' }), select),
    content,
  );

  async function load() {
    const span = ranges[select.value];
    const to = Math.ceil(Date.now() / HOUR) * HOUR;
    try {
      const s = await api('GET', `/v1/stats?from=${to - span}&to=${to}`);
      render(s, span);
    } catch (err) {
      content.replaceChildren(h('p', { class: 'error' }, errorText(err)));
    }
  }

  function render(s, span) {
    const tot = s.totals;
    const tile = (k, v, cls = '') =>
      h('div', { class: `tile ${cls}` }, h('div', { class: 'k' }, t(k)), h('div', { class: 'v' }, v));
    // Hours without rides still get a (zero) bar so the time axis stays even.
    const byHour = new Map(s.byHour.map((r) => [r.hour, r]));
    const perDay = span > 2 * 24 * HOUR;
    const points = [];
    for (let at = s.from; at < s.to; at += perDay ? 24 * HOUR : HOUR) {
      let value = 0;
      let alt = 0;
      for (let x = at; x < at + (perDay ? 24 * HOUR : HOUR); x += HOUR) {
        value += byHour.get(x)?.rides ?? 0;
        alt += byHour.get(x)?.denied ?? 0;
      }
      const d = new Date(at);
      points.push({
        label: perDay ? `${d.getMonth() + 1}/${d.getDate()}` : String(d.getHours()).padStart(2, '0'),
        value,
        alt,
      });
    }
    content.replaceChildren(
      h(
        'div',
        { class: 'tiles', 'data-testid': 'stats-tiles' },
        tile('stats.rides', num(tot.rides)),
        tile('stats.revenue', yuan(tot.chargedFen)),
        tile('stats.denied', num(tot.denied), 'bad'),
        tile('stats.free', num(tot.free)),
        tile('stats.subsidy', yuan(tot.subsidyFen)),
      ),
      h(
        'div',
        { class: 'card' },
        h('h2', {}, perDay ? `${t('stats.rides')} / day` : t('stats.perHour')),
        tot.rides === 0
          ? h('p', { class: 'note' }, t('stats.none'))
          : columns(points, { format: num, labelEvery: perDay ? 3 : 2, title: t('stats.perHour') }),
        h(
          'div',
          { class: 'legend' },
          h('span', {}, h('i', { class: 'sw-accent' }), t('stats.rides')),
          h('span', {}, h('i', { class: 'sw-bad' }), t('stats.denied')),
        ),
      ),
      h(
        'div',
        { class: 'grid2' },
        h(
          'div',
          { class: 'card' },
          h('h2', {}, t('stats.perLine')),
          bars(
            s.byLine
              .slice(0, 12)
              .map((r) => ({ label: r.line, value: r.chargedFen }))
              .sort((a, b) => b.value - a.value),
            { format: yuan, title: t('stats.perLine') },
          ),
        ),
        h(
          'div',
          { class: 'card' },
          h('h2', {}, t('stats.perConcession')),
          bars(
            s.byConcession.map((r) => ({
              label: t(`conc.${r.concession}`),
              value: r.rides,
              alt: r.free,
              altLabel: r.free ? `${t('stats.free')} ${num(r.free)}` : '',
            })),
            { format: num, title: t('stats.perConcession') },
          ),
        ),
      ),
    );
  }

  select.addEventListener('change', load);
  void load();
}
