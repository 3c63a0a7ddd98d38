// Small DOM and API helpers. Every text goes in through textContent, never innerHTML.
import { getLang, t } from './i18n.js';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false || v === null) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat())
    if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code;
    this.problem = problem ?? {};
  }
}

/** JSON API call with the session cookie; a 401 sends the page back to the login form. */
export async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body !== undefined ? { 'content-type': 'application/json' } : {},
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (res.status === 401 && path !== '/v1/auth/login') window.dispatchEvent(new Event('onecard:logout'));
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

export const yuan = (fen) => (fen / 100).toFixed(2);
export const num = (n) => new Intl.NumberFormat(getLang() === 'zh' ? 'zh-CN' : 'en').format(n);

export function time(ms, withDate = false) {
  const d = new Date(ms);
  const opts = withDate
    ? {
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hour12: false,
      }
    : { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false };
  return d.toLocaleString(getLang() === 'zh' ? 'zh-CN' : 'en-GB', opts);
}

let reasonTexts = {};
export async function loadReasons() {
  reasonTexts = await api('GET', '/v1/reasons');
}
export function reasonText(name) {
  const r = reasonTexts[name];
  return r ? `${r[getLang()]} (${name})` : name;
}

export function toast(message) {
  let el = document.querySelector('.toast');
  if (!el) {
    el = h('div', { class: 'toast', role: 'status' });
    document.body.append(el);
  }
  el.textContent = message;
  el.classList.add('show');
  clearTimeout(el.timer);
  el.timer = setTimeout(() => el.classList.remove('show'), 2500);
}

export function errorText(err) {
  if (err.status === 403) return t('err.forbidden');
  return t('err.generic', { m: err.message });
}

export function where(r) {
  return [r.routeId, r.stationId || r.stopId, r.venueId].filter(Boolean).join(' · ');
}
