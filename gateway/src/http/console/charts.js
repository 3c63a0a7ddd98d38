// Hand-drawn SVG charts: vertical bars over time and horizontal bars per category. Small,
// readable at a glance, no library.
const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** points: [{label, value, alt?}]; alt draws a second, lighter bar (e.g. denied). */
export function columns(
  points,
  { width = 720, height = 180, format = String, labelEvery = 1, title = '' } = {},
) {
  const pad = { l: 44, r: 8, t: 10, b: 24 };
  const max = Math.max(1, ...points.map((p) => p.value));
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart',
    role: 'img',
    'aria-label': title,
  });
  const innerH = height - pad.t - pad.b;
  const step = (width - pad.l - pad.r) / Math.max(1, points.length);
  // A middle gridline only when it falls on a whole number.
  for (const f of max >= 2 ? [0, 0.5, 1] : [0, 1]) {
    const y = pad.t + innerH * (1 - f);
    svg.append(s('line', { x1: pad.l, x2: width - pad.r, y1: y, y2: y, class: 'axis' }));
    svg.append(s('text', { x: pad.l - 6, y: y + 4, 'text-anchor': 'end' }, format(Math.round(max * f))));
  }
  points.forEach((p, i) => {
    const bh = (p.value / max) * innerH;
    const x = pad.l + i * step + step * 0.15;
    const bar = s('rect', {
      x,
      y: pad.t + innerH - bh,
      width: Math.max(1, step * 0.7),
      height: bh,
      class: 'bar',
      rx: 2,
    });
    bar.append(s('title', {}, `${p.label}: ${format(p.value)}`));
    svg.append(bar);
    if (p.alt) {
      const ah = (p.alt / max) * innerH;
      svg.append(
        s('rect', {
          x,
          y: pad.t + innerH - ah,
          width: Math.max(1, step * 0.7),
          height: ah,
          class: 'bar bad',
          rx: 2,
        }),
      );
    }
    if (i % labelEvery === 0)
      svg.append(s('text', { x: x + step * 0.35, y: height - 6, 'text-anchor': 'middle' }, p.label));
  });
  return svg;
}

/** rows: [{label, value, alt?, altLabel?}], longest first. */
export function bars(rows, { format = String, title = '' } = {}) {
  const width = 600;
  const rowH = 28;
  const labelW = 130;
  const height = Math.max(1, rows.length) * rowH + 8;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const svg = s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart',
    role: 'img',
    'aria-label': title,
  });
  rows.forEach((r, i) => {
    const y = 4 + i * rowH;
    const w = ((width - labelW - 110) * r.value) / max;
    svg.append(s('text', { x: labelW - 8, y: y + 17, 'text-anchor': 'end' }, r.label));
    const bar = s('rect', {
      x: labelW,
      y: y + 4,
      width: Math.max(1, w),
      height: rowH - 10,
      class: 'bar',
      rx: 3,
    });
    bar.append(s('title', {}, `${r.label}: ${format(r.value)}`));
    svg.append(bar);
    if (r.alt) {
      const aw = ((width - labelW - 110) * r.alt) / max;
      svg.append(
        s('rect', {
          x: labelW,
          y: y + 4,
          width: Math.max(1, aw),
          height: rowH - 10,
          class: 'bar alt',
          rx: 3,
        }),
      );
    }
    svg.append(
      s(
        'text',
        { x: labelW + w + 8, y: y + 17 },
        `${format(r.value)}${r.altLabel ? ` · ${r.altLabel}` : ''}`,
      ),
    );
  });
  return svg;
}
