// catalog_fill.mjs - how a gateway's catalog fills in after start, as a
// client that follows list changes sees it.  Starts the gateway (CMD
// ARGS...), tries every ~20 ms to initialize a legacy session at URL
// until one answers, opens the session's GET stream, lists the tools, and
// lists them again on every notifications/tools/list_changed the stream
// brings (one list at a time; changes during a list bring one more).
// Prints the time from start at which the endpoint first answered and at
// which each server's tools (named <server>__<tool>) first appeared, and
// a RESULT line.  The gateway's own tools (gateway__*) are there from the
// start and are not one of the SERVERS counted.
//
// POLL=1 lists every ~20 ms instead of following the stream, for a
// gateway without one.
//
//   node catalog_fill.mjs URL SERVERS CMD ARGS...
import { poster } from './http_post.mjs';
import { spawn } from 'node:child_process';
import http from 'node:http';

const [url, serversText, cmd, ...args] = process.argv.slice(2);
const want = Number(serversText);
const post = poster(url);
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
const sleep = (t) => new Promise((r) => setTimeout(r, t));
const deadline = 30000;

// the JSON-RPC message in a reply: a JSON body or the data of an SSE event
function message(body) {
  const data = body.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('');
  return JSON.parse(data || body);
}

const start = process.hrtime.bigint();
const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
process.on('exit', () => child.kill('SIGTERM')); // on a failure too
const seen = new Map(); // server -> ms
let answered = null;
let headers = null;

// a legacy session, tried every ~20 ms until the gateway listens
while (headers === null && ms(start) < deadline) {
  const tried = process.hrtime.bigint();
  try {
    const r = await post({}, { jsonrpc: '2.0', id: 1, method: 'initialize', params: {
      protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } });
    if (r.status === 200 && r.headers['mcp-session-id']) {
      answered = ms(start);
      headers = { 'mcp-session-id': r.headers['mcp-session-id'], 'mcp-protocol-version': '2025-11-25' };
      await post(headers, { jsonrpc: '2.0', method: 'notifications/initialized' });
    }
  } catch {
    // not listening yet
  }
  if (headers === null) await sleep(Math.max(0, 20 - ms(tried)));
}

async function listTools() {
  const r = await post(headers, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
  const now = ms(start);
  for (const tool of message(r.body).result?.tools || []) {
    const server = tool.name.split('__')[0];
    if (server !== 'gateway' && !seen.has(server)) seen.set(server, now);
  }
}

// The GET stream, open before the first list so no change falls between.
function openStream(onChange) {
  return new Promise((resolve) => {
    const req = http.get(url, { headers: { ...headers, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve(null);
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        buf += c;
        for (let end; (end = buf.indexOf('\n\n')) >= 0; buf = buf.slice(end + 2)) {
          const data = buf.slice(0, end).split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('');
          if (data.trim() !== '' && JSON.parse(data).method === 'notifications/tools/list_changed') onChange();
        }
      });
      res.on('error', () => {});
      resolve(req);
    });
    req.on('error', () => resolve(null));
  });
}

let mode = 'followed list_changed';
if (headers !== null) {
  let listing = false;
  let again = false;
  let finished;
  const done = new Promise((r) => { finished = r; });
  const relist = async () => {
    if (listing) {
      again = true;
      return;
    }
    listing = true;
    do {
      again = false;
      await listTools();
    } while (again);
    listing = false;
    if (seen.size >= want) finished();
  };
  const stream = process.env.POLL ? null : await openStream(relist);
  if (stream !== null) {
    await relist();
    await Promise.race([done, sleep(Math.max(0, deadline - ms(start)))]);
    stream.destroy();
  } else {
    mode = 'polled every ~20 ms';
    while (seen.size < want && ms(start) < deadline) {
      const polled = process.hrtime.bigint();
      await listTools();
      await sleep(Math.max(0, 20 - ms(polled)));
    }
  }
}
child.kill('SIGTERM');
post.agent.destroy();

if (answered !== null) console.log(`  endpoint answered initialize   ${answered.toFixed(0).padStart(6)} ms`);
for (const [server, t] of [...seen].sort((a, b) => a[1] - b[1])) {
  console.log(`  ${server.padEnd(30)} ${t.toFixed(0).padStart(6)} ms`);
}
console.log(`  (tools/list ${mode})`);
const times = [...seen.values()];
console.log(`RESULT servers_listed=${seen.size}/${want} endpoint_ms=${answered === null ? '-' : answered.toFixed(0)}` +
  ` first_ms=${times.length ? Math.min(...times).toFixed(0) : '-'} all_ms=${seen.size === want ? Math.max(...times).toFixed(0) : '-'}`);
