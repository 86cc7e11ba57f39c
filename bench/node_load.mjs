// node_load.mjs - load client for the rows wrk cannot drive: a server or
// gateway spoken to over stdio, or over the legacy HTTP+SSE transport
// (2024-11-05: GET opens an event stream, POSTs go to the endpoint it names,
// replies come back on the stream).  Keeps CONC tools/call requests of an
// echo tool in flight for SECONDS after the initialize handshake, checks
// every reply, and prints one line in the format of call.lua:
//
//   RESULT requests=N bad_replies=N socket_errors=N calls_per_s=N p50_us=N p99_us=N cpu_us_per_call=N
//
//   node node_load.mjs stdio SECONDS CONC TOOL CMD ARGS...
//   node node_load.mjs sse   SECONDS CONC TOOL URL [CPU_PID]
//   node node_load.mjs tools-sse URL        (prints the tool names, one a line)
//
// cpu_us_per_call is the CPU time of the measured gateway per call (see
// proc_cpu.mjs): with stdio, the spawned process (not counting the upstream
// server below it); with sse, CPU_PID when given; "-" otherwise.  With stdio
// straight to an upstream server (no gateway) pass NOCPU=1.  WARMUP=S runs
// the same load for S seconds first, unmeasured.
import http from 'node:http';
import { spawn } from 'node:child_process';
import { cpuMicros } from './proc_cpu.mjs';

const [mode, ...rest] = process.argv.slice(2);

// A connection: send(message) writes one JSON-RPC message; onMessage is
// called with every message that arrives.
function stdioConnection(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = { pid: child.pid, onMessage: null, close: () => child.kill() };
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) conn.onMessage(JSON.parse(line));
    }
  });
  child.on('exit', (code) => { if (!conn.closing) { console.error(`node_load: ${cmd} exited (${code})`); process.exit(1); } });
  conn.send = (msg) => child.stdin.write(JSON.stringify(msg) + '\n');
  conn.close = () => { conn.closing = true; child.kill(); };
  return Promise.resolve(conn);
}

function sseConnection(url, conc) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conc + 2 });
  return new Promise((resolve, reject) => {
    const conn = { onMessage: null, errors: 0 };
    const req = http.get(url, { headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`GET ${url}: ${res.statusCode}`)); return; }
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk) => {
        buf += chunk.replace(/\r\n/g, '\n');
        let end;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          let event = 'message';
          const data = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (event === 'endpoint') {
            conn.endpoint = new URL(data.join('\n'), url);
            resolve(conn);
          } else if (event === 'message' && data.length) {
            conn.onMessage(JSON.parse(data.join('\n')));
          }
        }
      });
    });
    req.on('error', reject);
    conn.send = (msg) => {
      const post = http.request(conn.endpoint, { method: 'POST', agent,
        headers: { 'content-type': 'application/json' } }, (res) => {
        if (res.statusCode >= 300) conn.errors++;
        res.resume();
      });
      post.on('error', () => { conn.errors++; });
      post.end(JSON.stringify(msg));
    };
    conn.close = () => { req.destroy(); agent.destroy(); };
  });
}

// Request/reply on top of a connection.
function rpc(conn) {
  const pending = new Map();
  let nextId = 1;
  conn.onMessage = (msg) => {
    const p = msg.id !== undefined && pending.get(msg.id);
    if (p && (msg.result !== undefined || msg.error !== undefined)) {
      pending.delete(msg.id);
      p(msg);
    }
  };
  return (method, params) => new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    conn.send({ jsonrpc: '2.0', id, method, params });
  });
}

async function handshake(conn, call) {
  const init = await call('initialize', { protocolVersion: '2025-11-25', capabilities: {},
    clientInfo: { name: 'bench', version: '1' } });
  if (!init.result) throw new Error(`initialize: ${JSON.stringify(init)}`);
  conn.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p / 100))] : 0;
}

async function load(conn, seconds, conc, tool, cpuPid) {
  const call = rpc(conn);
  await handshake(conn, call);
  let latencies = [];
  let bad = 0;
  // CONC workers calling back to back for SECONDS
  async function run(secs) {
    const stopAt = process.hrtime.bigint() + BigInt(Math.round(secs * 1e9));
    async function worker() {
      while (process.hrtime.bigint() < stopAt) {
        const t0 = process.hrtime.bigint();
        const reply = await call('tools/call', { name: tool, arguments: { text: 'hello' } });
        latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
        if (reply.result?.content?.[0]?.text !== 'hello') bad++;
      }
    }
    await Promise.all(Array.from({ length: conc }, worker));
  }
  await run(Number(process.env.WARMUP || 0));
  latencies = [];
  bad = 0;
  conn.errors = 0;
  const cpuBefore = cpuPid ? cpuMicros(cpuPid) : 0;
  const start = process.hrtime.bigint();
  await run(seconds);
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = cpuPid ? Math.round((cpuMicros(cpuPid) - cpuBefore) / latencies.length) : '-';
  latencies.sort((a, b) => a - b);
  console.log(`RESULT requests=${latencies.length} bad_replies=${bad} socket_errors=${conn.errors || 0}` +
    ` calls_per_s=${Math.round(latencies.length / elapsed)} p50_us=${Math.round(percentile(latencies, 50))}` +
    ` p99_us=${Math.round(percentile(latencies, 99))} cpu_us_per_call=${cpu}`);
  conn.close();
}

if (mode === 'stdio') {
  const [seconds, conc, tool, cmd, ...args] = rest;
  const conn = await stdioConnection(cmd, args);
  await load(conn, Number(seconds), Number(conc), tool, process.env.NOCPU === '1' ? null : conn.pid);
} else if (mode === 'sse') {
  const [seconds, conc, tool, url, cpuPid] = rest;
  const conn = await sseConnection(url, Number(conc));
  await load(conn, Number(seconds), Number(conc), tool, cpuPid);
} else if (mode === 'tools-sse') {
  const conn = await sseConnection(rest[0], 1);
  const call = rpc(conn);
  await handshake(conn, call);
  const list = await call('tools/list', {});
  for (const t of list.result?.tools || []) console.log(t.name);
  conn.close();
} else {
  console.error('usage: node_load.mjs stdio|sse|tools-sse ...');
  process.exit(2);
}
