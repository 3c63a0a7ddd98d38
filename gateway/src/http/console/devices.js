// The device fleet: online/offline, last seen, list version, journal backlog, clock skew,
// software version. Devices that are behind sort first and are tinted.
import { t } from './i18n.js';
import { api, errorText, h, num, time } from './util.js';

function ago(ms) {
  const s = Math.round((Date.now() - ms) / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

export function mount(root) {
  const summary = h('span', { class: 'badge' });
  const body = h('tbody');
  const error = h('p', { class: 'error', role: 'alert' });
  root.append(
    h('div', { class: 'row' }, h('h1', {}, t('dev.title')), summary),
    error,
    h(
      'div',
      { class: 'card table-wrap' },
      h(
        'table',
        { 'data-testid': 'devices-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, t('col.device')),
            h('th', {}, t('col.operator')),
            h('th', {}, t('dev.profile')),
            h('th', {}, t('col.where')),
            h('th', {}, t('dev.status')),
            h('th', {}, t('dev.lastSeen')),
            h('th', { class: 'num' }, t('dev.list')),
            h('th', { class: 'num' }, t('dev.backlog')),
            h('th', { class: 'num' }, t('dev.skew')),
            h('th', {}, t('dev.version')),
          ),
        ),
        body,
      ),
    ),
  );

  async function load() {
    try {
      const { items } = await api('GET', '/v1/devices');
      const behind = items.filter((d) => d.behind).length;
      summary.className = behind ? 'badge warn' : 'badge ok';
      summary.textContent = behind ? t('dev.behind', { n: behind }) : t('dev.allgood');
      body.replaceChildren(
        ...items.map((d) =>
          h(
            'tr',
            { class: d.behind ? 'behind' : '', 'data-device': d.deviceId },
            h(
              'td',
              {},
              h('b', {}, d.deviceId),
              d.behind ? h('span', { class: 'badge warn' }, ` ${t('dev.needsLook')}`) : '',
            ),
            h('td', {}, d.operatorId),
            h('td', {}, d.profile),
            h('td', {}, [d.routeId, d.stationId, d.venueId].filter(Boolean).join(' · ')),
            h(
              'td',
              {},
              h(
                'span',
                { class: d.online ? 'badge ok' : 'badge bad' },
                t(d.online ? 'dev.online' : 'dev.offline'),
              ),
            ),
            h(
              'td',
              { title: d.lastSeenAt ? time(d.lastSeenAt, true) : '' },
              d.lastSeenAt ? ago(d.lastSeenAt) : '—',
            ),
            h(
              'td',
              { class: 'num' },
              d.denyListVersion ?? '—',
              d.listLag ? h('span', { class: 'badge warn' }, ` ${t('dev.lag', { n: d.listLag })}`) : '',
            ),
            h('td', { class: 'num' }, d.journalDepth !== undefined ? num(d.journalDepth) : '—'),
            h('td', { class: 'num' }, d.clockSkewMs !== undefined ? `${num(d.clockSkewMs)} ms` : '—'),
            h('td', { class: 'mono' }, d.softwareVersion ?? '—'),
          ),
        ),
      );
    } catch (err) {
      error.textContent = errorText(err);
    }
  }
  void load();
  const timer = setInterval(load, 5000);
  return () => clearInterval(timer);
}
