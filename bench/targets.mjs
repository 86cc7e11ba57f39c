// targets.mjs - the gateway's benchmark targets judged from one run of
// bench/upstream.sh: reads its results.txt and prints each target with
// the figures it compares and whether this run met it.
//
//   node bench/targets.mjs build/bench/upstream/results.txt
//
// "Best peer" is the reference gateway with the lowest figure in the same
// section; peers whose front door needs another load client are compared
// all the same, and the line names the peer.
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
const fields = (text) => Object.fromEntries([...text.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));

// section -> [{ name, c, calls, p50, cpu }]
const rows = {};
const other = {};
for (const line of lines) {
  const m = /^(stdio|http): (.*?) c=(\S+) (.*)$/.exec(line);
  if (m) {
    const f = fields(m[4]);
    if (f.calls_per_s === undefined) continue; // n/a
    (rows[m[1]] ??= []).push({ name: m[2], c: m[3], calls: +f.calls_per_s, p50: +f.p50_us,
      cpu: f.cpu_us_per_call === '-' ? null : +f.cpu_us_per_call });
  } else {
    const [key, ...rest] = line.split(' ');
    other[key] = { ...(other[key] ?? {}), ...fields(rest.join(' ')) };
  }
}

const out = [];
const judge = (target, figures, met) => out.push({ target, figures, met: met ? 'met' : 'MISSED' });
const client = (name) => /\(([^)]*)\)$/.exec(name)?.[1] ?? '';
// "supergateway (node stdio client)", and whether it was loaded as ours was.
const short = (name, ours) => `${name.replace(/ \(.*\)$/, '').replace(/,.*$/, '')} (${client(name)}` +
  `${client(name) === client(ours) ? '' : ', another load client'})`;
const ratio = (a, b) => (b / a >= 1 ? `1/${(b / a).toFixed(1)}` : `${(a / b).toFixed(1)}x`);

for (const [section, list] of Object.entries(rows)) {
  const at = (c) => list.filter((r) => r.c === c);
  const direct = (c) => at(c).find((r) => r.name.startsWith('direct'));
  const ours = (c) => at(c).find((r) => r.name.startsWith('mcpgate'));
  const peers = (c) => at(c).filter((r) => !r.name.startsWith('direct') && !r.name.startsWith('mcpgate'));
  if (!direct('1') || !ours('1') || peers('1').length === 0) continue;

  const added = (r) => r.p50 - direct('1').p50;
  const bestAdded = peers('1').reduce((a, b) => (added(b) < added(a) ? b : a));
  judge(`${section}: added p50 at c=1 <= 1/5 of the best peer's`,
    `${added(ours('1'))} us vs ${added(bestAdded)} us ${short(bestAdded.name, ours('1').name)}, limit ${(added(bestAdded) / 5).toFixed(0)}`,
    added(ours('1')) <= added(bestAdded) / 5);

  if (direct('16') && ours('16')) {
    const r = ours('16').calls / direct('16').calls;
    judge(`${section}: calls/s at c=16 >= 0.9x direct`, `${ours('16').calls} vs ${direct('16').calls}: ${r.toFixed(2)}x`,
      r >= 0.9);
  }
  for (const c of ['1', '16']) {
    const withCpu = peers(c).filter((p) => p.cpu != null);
    if (!ours(c) || withCpu.length === 0) continue;
    const best = withCpu.reduce((a, b) => (b.cpu < a.cpu ? b : a));
    // At c=1 the limit is set beside what a relay that only moves bytes
    // spends per call on this machine, which no gateway can go under.
    const floor = c === '1' ? +(other.floor?.[`${section}_us`] ?? NaN) : NaN;
    const beside = Number.isNaN(floor) ? ''
      : `; limit ${(best.cpu / 10).toFixed(0)}, a bare relay ${floor}` +
        (best.cpu / 10 < floor ? ' (the limit is under this machine\'s floor)' : '');
    judge(`${section}: CPU per call at c=${c} <= 1/10 of the best peer's`,
      `${ours(c).cpu} us vs ${best.cpu} us ${short(best.name, ours(c).name)}: ${ratio(ours(c).cpu, best.cpu)}${beside}`,
      ours(c).cpu * 10 <= best.cpu);
  }
}
if (other.mcpgate?.rss_kib && other['mcp-hub']?.rss_kib) {
  const a = +other.mcpgate.rss_kib, b = +other['mcp-hub'].rss_kib;
  judge('RSS with 10 stdio upstreams <= 1/10 of mcp-hub', `${a} vs ${b} KiB: ${ratio(a, b)}`, a * 10 <= b);
}
if (other.catalog?.all_ms && other.catalog?.direct_all_ms) {
  const gap = +other.catalog.all_ms - +other.catalog.direct_all_ms;
  judge('ready time of 10 stdio upstreams <= the floor + 100 ms (medians of 3)',
    `${other.catalog.all_ms} vs ${other.catalog.direct_all_ms} ms: ${gap >= 0 ? '+' : ''}${gap} ms`, gap <= 100);
}

const w = Math.max(...out.map((o) => o.target.length));
console.log('== targets (this run)');
for (const o of out) console.log(`${o.target.padEnd(w)}  ${o.met.padEnd(6)}  ${o.figures}`);
