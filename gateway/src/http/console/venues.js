// A venue's day for its operator (docs/decisions/0135): visitors inside and entries of the day
// against the carrying capacity with the warning band marked, visits per hour, reservations per
// slot and what admitted the entries (annual-pass use). The server narrows a venue operator to
// its own venues; the page lists only those.
import { bars, columns } from './charts.js';
import { t } from './i18n.js';
import { api, errorText, h, num } from './util.js';

const CST_MS = 8 * 3_600_000;
/** Today in China Standard Time, as the gateway counts days (core/facts.ts localDay). */
const today = () => new Date(Date.now() + CST_MS).toISOString().slice(0, 10);
const hhmm = (min) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

/** The venues this account may watch (all for an unbound account). */
export async function myVenues(me) {
  try {
    const all = await api('GET', '/v1/venues');
    return all.filter((v) => me.tenant === '' || v.operatorId === me.tenant);
  } catch {
    return [];
  }
}

/** Through the CSSOM: the page's CSP refuses inline style attributes. */
function placed(cls, property, value) {
  const el = h('div', { class: cls });
  el.style[property] = value;
  return el;
}

/** A bar of count against limit, the warning share marked; 'full' and 'warning' coloured. */
function meter(label, count, limit, warnAt, level) {
  const max = Math.max(limit, count, 1);
  const share = (n) => `${Math.min(100, (n / max) * 100).toFixed(1)}%`;
  return h(
    'div',
    { class: `meter ${level}`, 'data-level': level },
    h(
      'div',
      { class: 'meter-head' },
      h('span', {}, label),
      h('b', {}, limit > 0 ? `${num(count)} / ${num(limit)}` : `${num(count)} · ${t('ven.unlimited')}`),
      level !== 'normal'
        ? h('span', { class: `badge ${level === 'full' ? 'bad' : 'warn'}` }, t(`ven.${level}`))
        : '',
    ),
    // No limit: nothing to fill against; the count alone says it.
    limit > 0
      ? h(
          'div',
          { class: 'meter-track' },
          placed('meter-warn', 'left', share(warnAt)),
          placed('meter-fill', 'width', share(count)),
        )
      : '',
    limit > 0 ? h('div', { class: 'note' }, t('ven.warnAt', { n: num(warnAt) })) : '',
  );
}

export function mount(root, me) {
  const venueSelect = h('select', { name: 'venue', 'aria-label': t('ven.venue') });
  const dayInput = h('input', { type: 'date', name: 'day', value: today(), 'aria-label': t('ven.day') });
  const refresh = h(
    'button',
    { type: 'button', class: 'ghost', 'data-testid': 'venue-refresh' },
    t('ven.refresh'),
  );
  const content = h('div', { 'data-testid': 'venue-day' });
  root.append(
    h(
      'div',
      { class: 'row' },
      h('h1', {}, t('ven.title')),
      h('span', { class: 'spacer' }),
      venueSelect,
      dayInput,
      refresh,
    ),
    content,
  );
  let timer;

  async function load() {
    if (!venueSelect.value) return;
    try {
      const s = await api(
        'GET',
        `/v1/venues/${encodeURIComponent(venueSelect.value)}/stats?day=${dayInput.value}`,
      );
      render(s);
    } catch (err) {
      content.replaceChildren(h('p', { class: 'error' }, errorText(err)));
    }
  }

  function render(s) {
    const o = s.occupancy;
    const tile = (k, v, testid) =>
      h(
        'div',
        { class: 'tile', 'data-testid': testid },
        h('div', { class: 'k' }, t(k)),
        h('div', { class: 'v' }, v),
      );
    const visits = s.hours.reduce((n, x) => n + x.entries, 0);
    content.replaceChildren(
      h(
        'div',
        { class: 'tiles' },
        tile('ven.inside', num(o.inside), 'venue-inside'),
        tile('ven.entries', num(o.entriesToday), 'venue-entries'),
        tile('ven.passUse', num(s.entries.annual_pass), 'venue-pass'),
        tile(
          'ven.sold',
          s.capacity.daily > 0 ? `${num(s.sold)} / ${num(s.capacity.daily)}` : num(s.sold),
          'venue-sold',
        ),
      ),
      h(
        'div',
        { class: 'card' },
        h('h2', {}, t('ven.occupancy')),
        meter(t('ven.instant'), o.inside, s.capacity.instant, s.warnAt.instant, o.levels.instant),
        meter(t('ven.daily'), o.entriesToday, s.capacity.daily, s.warnAt.daily, o.levels.daily),
      ),
      h(
        'div',
        { class: 'card' },
        h('h2', {}, t('ven.perHour')),
        visits === 0
          ? h('p', { class: 'note' }, t('ven.none'))
          : columns(
              s.hours.map((x) => ({ label: String(x.hour).padStart(2, '0'), value: x.entries })),
              { width: 960, height: 200, format: num, labelEvery: 2, title: t('ven.perHour') },
            ),
      ),
      h(
        'div',
        { class: 'grid2' },
        h(
          'div',
          { class: 'card', 'data-testid': 'venue-slots' },
          h('h2', {}, t('ven.slots')),
          s.slots.length === 0
            ? h('p', { class: 'note' }, t('ven.noSlots'))
            : s.slots.map((x) =>
                meter(
                  `${hhmm(x.startMin)}–${hhmm(x.endMin)}`,
                  x.booked,
                  x.capacity,
                  Math.ceil(x.capacity * s.capacity.warnShare),
                  x.booked >= x.capacity
                    ? 'full'
                    : x.booked >= Math.ceil(x.capacity * s.capacity.warnShare)
                      ? 'warning'
                      : 'normal',
                ),
              ),
        ),
        h(
          'div',
          { class: 'card' },
          h('h2', {}, t('ven.byKind')),
          bars(
            ['annual_pass', 'reservation', 'ticket', 'none'].map((k) => ({
              label: t(`ven.kind.${k}`),
              value: s.entries[k],
            })),
            { format: num, title: t('ven.byKind') },
          ),
        ),
      ),
    );
  }

  void (async () => {
    const venues = await myVenues(me);
    if (venues.length === 0) {
      content.replaceChildren(h('p', { class: 'note' }, t('ven.noVenues')));
      return;
    }
    venueSelect.replaceChildren(...venues.map((v) => h('option', { value: v.id }, `${v.name} (${v.id})`)));
    await load();
    // Today's figures move with every entry: refresh while the page is open. A page left open
    // over a Beijing midnight moves on to the new day, unless a person picked another day.
    timer = setInterval(() => {
      const now = today();
      if (followsToday && dayInput.value !== now) dayInput.value = now;
      if (dayInput.value === now) void load();
    }, 10_000);
  })();

  // The day field shows today until a person picks a day; picking today follows it again.
  let followsToday = true;
  venueSelect.addEventListener('change', load);
  dayInput.addEventListener('change', () => {
    followsToday = dayInput.value === today();
    void load();
  });
  refresh.addEventListener('click', load);
  return () => clearInterval(timer);
}
