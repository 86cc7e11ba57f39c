// soak_sessions.mjs - the session churn of scripts/soak.sh: four at a
// time, open a legacy session, call the isolated server (which starts a
// process for the session) and the shared ones, then end the session, or
// now and then leave it to expire.  Prints how many calls answered.
//
//   node soak_sessions.mjs URL SECONDS
import http from 'node:http';
import { poster } from '../bench/http_post.mjs';

const [url, seconds] = process.argv.slice(2);
const post = poster(url);
const stopAt = Date.now() + Number(seconds) * 1000;
const calls = [['iso__echo', { text: 'hello' }], ['echo__echo', { text: 'hello' }], ['modern__seen', {}]];
let answered = 0;
let failed = 0;

const end = (headers) => new Promise((resolve) => {
  const req = http.request(url, { method: 'DELETE', agent: post.agent, headers }, (res) => {
    res.resume();
    res.on('end', resolve);
  });
  req.on('error', resolve);
  req.end();
});

async function session() {
  const r = await post({}, { jsonrpc: '2.0', id: 1, method: 'initialize', params: {
    protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'soak', version: '1' } } });
  const sid = r.headers['mcp-session-id'];
  if (!sid) {
    failed++;
    return;
  }
  const headers = { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' };
  await post(headers, { jsonrpc: '2.0', method: 'notifications/initialized' });
  await Promise.all(calls.map(async ([name, args], i) => {
    const c = await post(headers, { jsonrpc: '2.0', id: 10 + i, method: 'tools/call', params: { name, arguments: args } });
    if (c.status === 200 && !c.body.includes('"isError":true') && c.body.includes('"result"')) answered++;
    else failed++;
  }));
  if (Math.random() < 0.8) await end(headers);
}

while (Date.now() < stopAt) {
  await Promise.all(Array.from({ length: 4 }, () => session().catch(() => { failed++; })));
}
post.agent.destroy();
console.log(`sessions: ${answered} calls answered, ${failed} failed`);
