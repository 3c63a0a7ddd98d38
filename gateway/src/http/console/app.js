// The console shell: login, navigation by #hash, language toggle. Each page is a module
// exporting mount(root) that returns a cleanup function (streams and timers stop on leave).
import { getLang, setLang, t, translate } from './i18n.js';
import { api, h, loadReasons } from './util.js';
import { myVenues } from './venues.js';

const pages = [
  { id: 'live', permission: 'live:read', load: () => import('./live.js') },
  { id: 'records', permission: 'records:read', load: () => import('./records.js') },
  { id: 'stats', permission: 'stats:read', load: () => import('./stats.js') },
  // Shown only to accounts with venues to watch (a bus company has none).
  { id: 'venues', permission: 'stats:read', load: () => import('./venues.js'), needs: 'venues' },
  { id: 'devices', permission: 'devices:read', load: () => import('./devices.js') },
  { id: 'cards', permission: 'cards:read', load: () => import('./cards.js') },
  { id: 'audit', permission: 'audit:read', load: () => import('./audit.js') },
];

let me;
let cleanup = () => {};

const $ = (id) => document.getElementById(id);

function allowed() {
  return pages.filter(
    (p) => me?.permissions.includes(p.permission) && (p.needs !== 'venues' || me.venueCount > 0),
  );
}

function renderNav() {
  const current = location.hash.slice(1);
  $('nav').replaceChildren(
    ...allowed().map((p) =>
      h('a', { href: `#${p.id}`, class: p.id === current ? 'on' : '' }, t(`nav.${p.id}`)),
    ),
  );
  $('user').textContent = me ? `${me.username}${me.tenant ? ` · ${me.tenant}` : ''}` : '';
  $('logout').hidden = !me;
  $('lang').textContent = getLang() === 'zh' ? 'EN' : '中文';
}

async function route() {
  cleanup();
  cleanup = () => {};
  const view = $('view');
  view.replaceChildren();
  $('login').hidden = Boolean(me);
  renderNav();
  if (!me) return;
  const list = allowed();
  const page = list.find((p) => p.id === location.hash.slice(1));
  if (!page) {
    if (list[0]) location.replace(`#${list[0].id}`);
    return;
  }
  const mod = await page.load();
  cleanup = mod.mount(view, me) ?? (() => {});
}

async function signedIn() {
  await loadReasons();
  me.venueCount = (await myVenues(me)).length;
}

async function start() {
  setLang(getLang());
  translate();
  try {
    me = await api('GET', '/v1/auth/me');
    await signedIn();
  } catch {
    me = undefined;
  }
  await route();
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  $('login-error').textContent = '';
  try {
    me = await api('POST', '/v1/auth/login', {
      username: form.get('username'),
      password: form.get('password'),
    });
    await signedIn();
    e.target.reset();
    await route();
  } catch (err) {
    $('login-error').textContent = t(err?.code === 'LOGIN_THROTTLED' ? 'login.throttled' : 'login.bad');
  }
});

$('logout').addEventListener('click', async () => {
  await api('POST', '/v1/auth/logout', {});
  me = undefined;
  location.hash = '';
  await route();
});

$('lang').addEventListener('click', () => {
  setLang(getLang() === 'zh' ? 'en' : 'zh');
  translate();
  void route();
});

window.addEventListener('hashchange', () => void route());
window.addEventListener('onecard:logout', () => {
  if (!me) return;
  me = undefined;
  void route();
});

void start();
