/**
 * A connection's ladder as SVG: the client's line on the left, the server's on the right, one
 * arrow per packet with flags/seq/ack/len (and the HTTP line), both endpoints' states after the
 * packet beside the lines, Δt and the frame number in the margin, the handshake and the
 * teardown bracketed. Presentation attributes only (no style attributes), so the markup passes
 * a strict Content-Security-Policy and the exported file stands alone.
 */
import type { Lang } from '../src/i18n/meanings.js';
import { msg } from '../src/i18n/lifecycle.js';
import { EVENT_KEY, HANDSHAKE_KEY, TEARDOWN_KEY } from '../src/render/lifecycle-keys.js';
import { segmentLabel } from '../src/render/ladder.js';
import type { ConnView } from './protocol.js';

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]!));
const ep = (e: { ip: string; port: number }): string => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);

/** Short names of socket events for the ladder (the full sentence is the tooltip). */
const SOCKET_SHORT: Record<string, string> = {
  'connect-returns': 'connect()', 'accept-returns': 'accept()', 'close-called': 'close()', 'eof': 'read() = 0',
  'time-wait': '2×MSL', 'refused': 'ECONNREFUSED', 'reset-received': 'ECONNRESET', 'abort': 'abort (RST)',
  'syn-retransmit': 'SYN again', 'connect-times-out': 'ETIMEDOUT',
};

export const COLORS = { client: '#0b6bcb', server: '#a3268f', state: '#1d7a33', dim: '#777', bracket: '#c77d00', text: '#222' };

export function ladderSvg(v: ConnView, lang: Lang): string {
  const c = v.summary;
  const W = 760, XC = 200, XS = 560, ROW = 40, TOP = 70, LABEL = 18;
  const hs = new Set(c.handshake.frames), td = new Set(c.teardown.frames);
  const parts: string[] = [];
  const bracket = (kind: 'hs' | 'td', y0: number, y1: number): void => {
    const label = kind === 'hs' ? `${msg(lang, 'ladder.handshake')}: ${msg(lang, HANDSHAKE_KEY[c.handshake.kind])}` : `${msg(lang, 'ladder.teardown')}: ${msg(lang, TEARDOWN_KEY[c.teardown.kind])}`;
    parts.push(`<g class="bracket ${kind}"><rect x="4" y="${y0}" width="${W - 8}" height="${y1 - y0}" fill="none" stroke="${COLORS.bracket}" stroke-dasharray="4 3" rx="6"/>`
      + `<text x="12" y="${y0 + 13}" fill="${COLORS.bracket}" font-size="11">${esc(label)}</text></g>`);
  };
  let open: { kind: 'hs' | 'td'; y: number; last: number } | undefined;
  let prev: [string, string] = [v.initial[0], v.initial[1]];
  let prevT = 0;
  let y = TOP - ROW;
  v.rows.forEach((r) => {
    y += ROW;
    if (!('entry' in r)) {
      const text = msg(lang, 'ex.collapsed', { n: r.gap, cp: r.client, sp: r.server }).replace(/; --all.*$|；用 --all.*$/, '');
      parts.push(`<text class="gap" x="${(XC + XS) / 2}" y="${y + 22}" text-anchor="middle" fill="${COLORS.dim}">⋮ ${esc(text)}</text>`);
      return;
    }
    const e = r.entry;
    // A bracket opens on its own line (its label), above its first packet.
    if (!open && hs.has(e.frame) && e.frame === Math.min(...c.handshake.frames)) { open = { kind: 'hs', y: y + 2, last: Math.max(...c.handshake.frames) }; y += LABEL; }
    else if (!open && td.has(e.frame) && e.frame === Math.min(...c.teardown.frames)) { open = { kind: 'td', y: y + 2, last: Math.max(...c.teardown.frames) }; y += LABEL; }
    const fromC = e.from === 'client';
    const x1 = fromC ? XC : XS, x2 = fromC ? XS : XC;
    const ay = y + 24;
    const colour = fromC ? COLORS.client : COLORS.server;
    const dt = e.t - prevT;
    prevT = e.t;
    const head = fromC ? `${x2 - 10},${ay - 5} ${x2},${ay} ${x2 - 10},${ay + 5}` : `${x2 + 10},${ay - 5} ${x2},${ay} ${x2 + 10},${ay + 5}`;
    const label = segmentLabel(e);
    const note = e.crossed ? ' ✕' : e.analysis ? ' !' : '';
    parts.push(`<g class="arrow" data-frame="${e.frame}" data-from="${e.from}" cursor="pointer">`
      + `<line x1="${x1}" y1="${ay}" x2="${x2}" y2="${ay}" stroke="transparent" stroke-width="14"/>`
      + `<line x1="${x1}" y1="${ay}" x2="${x2}" y2="${ay}" stroke="${colour}" stroke-width="1.5"/>`
      + `<polygon points="${head}" fill="${colour}"/>`
      + `<text class="label" x="${(XC + XS) / 2}" y="${ay - 5}" text-anchor="middle" fill="${colour}" font-size="11">${esc(label + note)}</text>`
      + (e.app ? `<text class="app" x="${(XC + XS) / 2}" y="${ay + 13}" text-anchor="middle" fill="${COLORS.text}" font-weight="bold">${esc(e.app.length > 60 ? e.app.slice(0, 59) + '…' : e.app)}</text>` : '')
      + `<text class="frame" x="12" y="${ay + 4}" fill="${COLORS.dim}">#${e.frame}</text>`
      + `<text class="dt" x="12" y="${ay + 16}" fill="${COLORS.dim}" font-size="10">Δt +${(dt * 1000).toFixed(3)} ms</text>`
      + '</g>');
    const [cs, ss] = e.states;
    parts.push(`<text class="state c" data-frame="${e.frame}" x="${XC - 12}" y="${ay + 4}" text-anchor="end" fill="${cs === prev[0] ? COLORS.dim : COLORS.state}"${cs === prev[0] ? '' : ' font-weight="bold"'}>${esc(cs)}</text>`);
    parts.push(`<text class="state s" data-frame="${e.frame}" x="${XS + 12}" y="${ay + 4}" fill="${ss === prev[1] ? COLORS.dim : COLORS.state}"${ss === prev[1] ? '' : ' font-weight="bold"'}>${esc(ss)}</text>`);
    // The socket calls and events each side goes through at this packet (inferred, as explain tells them).
    for (const side of ['client', 'server'] as const) {
      const evs = e.events.filter((x) => x.side === side && SOCKET_SHORT[x.event]);
      if (!evs.length) continue;
      const x = side === 'client' ? XC - 12 : XS + 12;
      parts.push(`<text class="socket ${side === 'client' ? 'c' : 's'}" data-frame="${e.frame}" x="${x}" y="${ay + 15}"${side === 'client' ? ' text-anchor="end"' : ''} fill="${COLORS.bracket}" font-size="10" font-style="italic">`
        + evs.map((x) => `<tspan>${esc(SOCKET_SHORT[x.event]!)}<title>${esc(msg(lang, EVENT_KEY[x.event]))}</title></tspan>`).join(' ') + '</text>');
    }
    prev = [cs, ss];
    if (open && e.frame === open.last) { bracket(open.kind, open.y, y + ROW - 2); open = undefined; }
  });
  if (open) bracket(open.kind, open.y, y + ROW - 2);
  const h = y + ROW + 30;
  const head = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="monospace" font-size="12">`,
    `<rect x="0" y="0" width="${W}" height="${h}" fill="#ffffff"/>`,
    `<text x="${XC}" y="18" text-anchor="middle" fill="${COLORS.client}" font-weight="bold">${esc(msg(lang, 'side.client'))} ${esc(ep(c.client))}</text>`,
    `<text x="${XS}" y="18" text-anchor="middle" fill="${COLORS.server}" font-weight="bold">${esc(msg(lang, 'side.server'))} ${esc(ep(c.server))}</text>`,
    `<text class="state c" x="${XC - 12}" y="44" text-anchor="end" fill="${COLORS.state}">${esc(v.initial[0])}</text>`,
    `<text class="state s" x="${XS + 12}" y="44" fill="${COLORS.state}">${esc(v.initial[1])}</text>`,
    `<line x1="${XC}" y1="26" x2="${XC}" y2="${h - 10}" stroke="${COLORS.client}" stroke-width="2"/>`,
    `<line x1="${XS}" y1="26" x2="${XS}" y2="${h - 10}" stroke="${COLORS.server}" stroke-width="2"/>`,
  ];
  return head.join('') + parts.join('') + '</svg>';
}
