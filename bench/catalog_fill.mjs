// catalog_fill.mjs - how a gateway's catalog fills in after start.  Starts
// the gateway (CMD ARGS...), then every ~20 ms: initialize a legacy session
// at URL until one answers, then tools/list on it.  Prints the time from
// start at which the endpoint first answered and at which each server's
// tools (named <server>__<tool>) first appeared, and a RESULT line.  The
// gateway's own tools (gateway__*) are there from the start and are not
// one of the SERVERS counted.
//
//   node catalog_fill.mjs URL SERVERS CMD ARGS...
import { poster } from './http_post.mjs';
import { spawn } from 'node:child_process';

const [url, serversText, cmd, ...args] = process.argv.slice(2);
const want = Number(serversText);
const post = poster(url);
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;

// the JSON-RPC message in a reply: a JSON body or the data of an SSE event
function message(body) {
  const data = body.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('');
  return JSON.parse(data || body);
}

const start = process.hrtime.bigint();
const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
let sid = null;
let answered = null;
const seen = new Map(); // server -> ms
const deadline = 30000;
while (seen.size < want && ms(start) < deadline) {
  const pollStart = process.hrtime.bigint();
  try {
    if (!sid) {
      const r = await post({}, { jsonrpc: '2.0', id: 1, method: 'initialize', params: {
        protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });
      if (r.status === 200 && r.headers['mcp-session-id']) {
        sid = r.headers['mcp-session-id'];
        answered = ms(start);
        await post({ 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' },
          { jsonrpc: '2.0', method: 'notifications/initialized' });
      }
    }
    if (sid) {
      const r = await post({ 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' },
        { jsonrpc: '2.0', id: 2, method: 'tools/list' });
      const now = ms(start);
      for (const tool of message(r.body).result?.tools || []) {
        const server = tool.name.split('__')[0];
        if (server !== 'gateway' && !seen.has(server)) seen.set(server, now);
      }
    }
  } catch {
    // not listening yet
  }
  const rest = 20 - ms(pollStart);
  if (rest > 0) await new Promise((r) => setTimeout(r, rest));
}
child.kill('SIGTERM');
post.agent.destroy();

if (answered !== null) console.log(`  endpoint answered initialize   ${answered.toFixed(0).padStart(6)} ms`);
for (const [server, t] of [...seen].sort((a, b) => a[1] - b[1])) {
  console.log(`  ${server.padEnd(30)} ${t.toFixed(0).padStart(6)} ms`);
}
const times = [...seen.values()];
console.log(`RESULT servers_listed=${seen.size}/${want} endpoint_ms=${answered === null ? '-' : answered.toFixed(0)}` +
  ` first_ms=${times.length ? Math.min(...times).toFixed(0) : '-'} all_ms=${seen.size === want ? Math.max(...times).toFixed(0) : '-'}`);
