// load_rss.mjs - memory under load: resident set size of a server process
// with N idle legacy sessions open, or with N modern requests in flight.
//
//   node load_rss.mjs PID URL sessions N
//   node load_rss.mjs PID URL inflight N WAIT_TOOL
import { poster } from './http_post.mjs';
import { readFileSync } from 'node:fs';

const [pid, url, mode, nText, waitTool = 'demo__wait'] = process.argv.slice(2);
const n = Number(nText);
const post = poster(url);

function rssKiB() {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]);
}

const before = rssKiB();
if (mode === 'sessions') {
  for (let i = 0; i < n; i++) {
    const r = await post({}, { jsonrpc: '2.0', id: 1, method: 'initialize', params: {
      protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });
    const sid = r.headers['mcp-session-id'];
    if (r.status !== 200 || !sid) throw new Error(`initialize ${i}: ${r.status} ${r.body}`);
    const ack = await post({ 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' },
      { jsonrpc: '2.0', method: 'notifications/initialized' });
    if (ack.status !== 202 && ack.status !== 200) throw new Error(`initialized ${i}: ${ack.status}`);
  }
  await new Promise((r) => setTimeout(r, 500));
  const after = rssKiB();
  console.log(`RESULT sessions=${n} rss_before_kib=${before} rss_after_kib=${after} per_session_bytes=${Math.round((after - before) * 1024 / n)}`);
} else {
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
  const calls = [];
  for (let i = 0; i < n; i++) {
    calls.push(post({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': waitTool },
      { jsonrpc: '2.0', id: i, method: 'tools/call', params: { name: waitTool, arguments: { ms: 4000 }, _meta: meta } }));
  }
  await new Promise((r) => setTimeout(r, 2500));
  const during = rssKiB();
  const replies = await Promise.all(calls);
  const ok = replies.filter((r) => r.status === 200 && r.body.includes('waited')).length;
  console.log(`RESULT inflight=${n} completed_ok=${ok} rss_before_kib=${before} rss_during_kib=${during} per_request_bytes=${Math.round((during - before) * 1024 / n)}`);
}
post.agent.destroy();
