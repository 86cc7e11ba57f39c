// lib.mjs - shared helpers for mcpgate's integration tests.
//
// MCPGATE_BIN picks the binary under test (default: the ASan+UBSan build in
// build/test).  Every child started here is tracked so a test can always
// kill it in `finally`, and its stderr is kept so the test can check that the
// sanitizers stayed quiet.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const MCPGATE_BIN = process.env.MCPGATE_BIN
  ? path.resolve(process.env.MCPGATE_BIN)
  : path.resolve(import.meta.dirname, '../../build/test/mcpgate');

/** Per-test time limit (ms); every test passes it to node:test. */
export const TEST_TIMEOUT = 10_000;

/** Every protocol revision mcpgate speaks (src/mcp/version.c), newest first. */
export const ALL_VERSIONS = ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];
export const LEGACY_VERSIONS = ALL_VERSIONS.slice(1);
export const MODERN_VERSION = '2026-07-28';

/** _meta keys of the 2026-07-28 era (src/mcp/version.h). */
export const META = Object.freeze({
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
});

// What `serve --demo` lists: the demo bundle and the gateway's own tools.
export const DEMO_TOOLS = ['demo__add', 'demo__echo', 'demo__wait', 'gateway__call_stats', 'gateway__list_servers',
  'gateway__recent_calls', 'gateway__search_tools', 'gateway__whoami'];

// serve and stdio keep a store (the call record) in the state directory:
// one per test process, never the home of the person running the tests.
const STATE_HOME = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-tests-state-'));
process.on('exit', () => rmSync(STATE_HOME, { recursive: true, force: true }));

/**
 * Environment for children: a minimal one (what the SDKs' stdio transports
 * pass by default) plus any sanitizer options the caller set.
 */
export function childEnv(extra = {}) {
  const env = {};
  for (const k of ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER', 'LANG', 'TMPDIR']) {
    if (process.env[k] !== undefined) env[k] = process.env[k];
  }
  for (const k of Object.keys(process.env)) {
    if (/^(ASAN|UBSAN|LSAN|MSAN|TSAN)_OPTIONS$/.test(k) || k === 'ASAN_SYMBOLIZER_PATH' || k === 'LLVM_SYMBOLIZER_PATH') {
      env[k] = process.env[k];
    }
  }
  // No config file of the person running the tests may leak in: the
  // lookup falls back to $XDG_CONFIG_HOME/mcpgate/mcpgate.yaml.
  env.XDG_CONFIG_HOME = path.join(os.tmpdir(), 'mcpgate-tests-no-config');
  env.XDG_STATE_HOME = STATE_HOME;
  return { ...env, ...extra };
}

/** Fail early, and clearly, when the binary is missing (e.g. mid-rebuild). */
export function requireBinary() {
  assert.ok(existsSync(MCPGATE_BIN), `mcpgate binary not found at ${MCPGATE_BIN} (set MCPGATE_BIN)`);
  return MCPGATE_BIN;
}

const SANITIZER_MARKERS = ['AddressSanitizer', 'LeakSanitizer', 'runtime error:'];

/** Fails when stderr shows a sanitizer report (ASan, LSan, UBSan). */
export function assertCleanStderr(stderr, what = 'mcpgate') {
  for (const marker of SANITIZER_MARKERS) {
    assert.ok(!stderr.includes(marker), `${what} stderr contains "${marker}":\n${stderr}`);
  }
}

/** Reject after `ms` with a message naming what was awaited. */
export function withTimeout(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Spawn mcpgate with `args`.  Returns { child, stderr(), exited } where
 * `exited` resolves to { code, signal } once the process has exited and its
 * stdio has closed.
 */
export function spawnGate(args, { env, cwd } = {}) {
  requireBinary();
  const child = spawn(MCPGATE_BIN, args, { stdio: ['pipe', 'pipe', 'pipe'], env: childEnv(env), cwd });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  // A write to a child that died must surface as a test failure, not as an
  // unhandled 'error' event that kills the runner.
  child.stdin.on('error', () => {});
  return { child, stderr: () => stderr, exited };
}

/** Kill a child that is still running (used in `finally`). */
export function killChild(child) {
  if (child && child.exitCode === null && child.signalCode === null) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
}

const sameId = (a, b) => typeof a === typeof b && a === b;

/**
 * A raw newline-delimited JSON-RPC client for `mcpgate stdio`.
 *
 * Every line mcpgate writes is kept (text and parsed value) in `lines`;
 * `waitFor(pred)` claims the first message matching `pred` that no earlier
 * wait claimed.  Responses are matched by id with its JSON type, so 1 and
 * "1" are different ids.
 */
export class LineClient {
  constructor(args = ['stdio', '--demo'], opts = {}) {
    const g = spawnGate(args, opts);
    this.child = g.child;
    this.exited = g.exited;
    this._stderr = g.stderr;
    this.lines = [];      // { text, msg, claimed }
    this.badLines = [];   // stdout lines that are not JSON
    this._waiters = [];
    this._buf = '';
    this._nextId = 1;
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (d) => this._onData(d));
  }

  get stderr() { return this._stderr(); }

  _onData(d) {
    this._buf += d;
    let nl;
    while ((nl = this._buf.indexOf('\n')) >= 0) {
      const text = this._buf.slice(0, nl);
      this._buf = this._buf.slice(nl + 1);
      let msg;
      try { msg = JSON.parse(text); } catch { this.badLines.push(text); continue; }
      const entry = { text, msg, claimed: false };
      this.lines.push(entry);
      this._dispatch(entry);
    }
  }

  _dispatch(entry) {
    for (let i = 0; i < this._waiters.length; i++) {
      const w = this._waiters[i];
      if (w.pred(entry.msg)) {
        entry.claimed = true;
        this._waiters.splice(i, 1);
        w.resolve(w.raw ? entry : entry.msg);
        return;
      }
    }
  }

  /** Every message received so far (parsed). */
  get messages() { return this.lines.map((l) => l.msg); }

  /** Notifications received so far, optionally of one method. */
  notifications(method) {
    return this.messages.filter((m) => m && !Array.isArray(m) && !('id' in m) && (!method || m.method === method));
  }

  /** Send one value as a JSON line (or a raw string as is, plus "\n"). */
  send(value) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    this.child.stdin.write(text + '\n');
  }

  /** Wait for the first unclaimed message matching `pred`. */
  waitFor(pred, { timeout = 5000, what = 'a message', raw = false } = {}) {
    const found = this.lines.find((l) => !l.claimed && pred(l.msg));
    if (found) {
      found.claimed = true;
      return Promise.resolve(raw ? found : found.msg);
    }
    let w;
    const p = new Promise((resolve) => { w = { pred, resolve, raw }; this._waiters.push(w); });
    return withTimeout(p, timeout, what).catch((e) => {
      this._waiters = this._waiters.filter((x) => x !== w);
      throw new Error(`${e.message}; received so far:\n${this.lines.map((l) => l.text).join('\n')}\nstderr:\n${this.stderr}`);
    });
  }

  /** Wait for the response (result or error) carrying exactly `id`. */
  response(id, opts = {}) {
    return this.waitFor(
      (m) => m && !Array.isArray(m) && 'id' in m && sameId(m.id, id) && ('result' in m || 'error' in m),
      { what: `the response to id ${JSON.stringify(id)}`, ...opts },
    );
  }

  /** Send a request and await its response.  `id` defaults to a fresh integer. */
  request(method, params, { id, ...opts } = {}) {
    if (id === undefined) id = this._nextId++;
    const msg = { jsonrpc: '2.0', id, method };
    if (params !== undefined) msg.params = params;
    this.send(msg);
    return this.response(id, opts);
  }

  notify(method, params) {
    const msg = { jsonrpc: '2.0', method };
    if (params !== undefined) msg.params = params;
    this.send(msg);
  }

  /** Legacy handshake: initialize + notifications/initialized. */
  async initialize(protocolVersion = '2025-11-25', capabilities = {}) {
    const r = await this.request('initialize', {
      protocolVersion,
      capabilities,
      clientInfo: { name: 'mcpgate-integration', version: '0.0.0' },
    });
    assert.ok(r.result, `initialize failed: ${JSON.stringify(r)}`);
    this.notify('notifications/initialized');
    return r.result;
  }

  /** Close stdin and await the exit; returns { code, signal }. */
  async close({ timeout = 8000 } = {}) {
    this.child.stdin.end();
    return withTimeout(this.exited, timeout, 'mcpgate to exit after end of input');
  }

  kill() { killChild(this.child); }

  /**
   * Close stdin, then check: exit 0, no sanitizer report, every stdout line
   * was JSON.
   */
  async closeAndCheck(opts) {
    const { code, signal } = await this.close(opts);
    assertCleanStderr(this.stderr);
    assert.deepEqual(this.badLines, [], 'mcpgate wrote non-JSON lines to stdout');
    assert.equal(signal, null, `mcpgate died of ${signal}; stderr:\n${this.stderr}`);
    assert.equal(code, 0, `mcpgate exited ${code}; stderr:\n${this.stderr}`);
  }
}

/** Run `fn(client)` against a fresh `mcpgate stdio` and check a clean exit. */
export async function withLineClient(args, fn) {
  const c = new LineClient(args);
  try {
    await fn(c);
    await c.closeAndCheck();
  } finally {
    c.kill();
  }
}

/** params._meta of a modern (2026-07-28) request. */
export function modernMeta(extra = {}, { version = MODERN_VERSION, capabilities = {} } = {}) {
  return {
    [META.protocolVersion]: version,
    [META.clientCapabilities]: capabilities,
    [META.clientInfo]: { name: 'mcpgate-integration', version: '0.0.0' },
    ...extra,
  };
}

/** The text of a CallToolResult's content blocks, joined. */
export function resultText(result) {
  return (result.content ?? []).filter((b) => b.type === 'text').map((b) => b.text).join('\n');
}

/**
 * Tap an SDK transport: record every message it sends and receives in
 * `log` ({ dir: 'out'|'in', msg }).  Works for both SDKs, whose Protocol
 * assigns transport.onmessage on connect.
 */
export function tapTransport(transport) {
  const log = [];
  const send = transport.send.bind(transport);
  transport.send = (msg, ...rest) => { log.push({ dir: 'out', msg }); return send(msg, ...rest); };
  let handler;
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    get() { return handler; },
    set(fn) { handler = fn ? (m, ...rest) => { log.push({ dir: 'in', msg: m }); return fn(m, ...rest); } : undefined; },
  });
  return log;
}

/** Collect a Readable (e.g. an SDK transport's stderr PassThrough) into a string getter. */
export function collect(stream) {
  let text = '';
  if (stream) {
    stream.setEncoding?.('utf8');
    stream.on('data', (d) => { text += d; });
  }
  return () => text;
}

// --- HTTP: `mcpgate serve` ---------------------------------------------------

/** Per-test time limit (ms) for the HTTP tests (a server start, a shutdown). */
export const HTTP_TEST_TIMEOUT = 20_000;

/** Wait (bounded) for the binary to exist: another engineer may be relinking it. */
export async function waitForBinary(ms = 8000) {
  const end = Date.now() + ms;
  while (!existsSync(MCPGATE_BIN) && Date.now() < end) await sleep(200);
  return requireBinary();
}

/**
 * Start `mcpgate serve --demo --listen 127.0.0.1:0 ARGS` and wait for the
 * line that names its URL.  Returns { child, url, origin, stderr(), exited,
 * stop(), kill() }.  stop() sends SIGTERM and resolves to { code, signal, ms }.
 */
export async function startHttpGate(args = [], { env, cwd, demo = true, listen = true, timeout = 8000 } = {}) {
  await waitForBinary();
  const g = spawnGate(['serve', ...(demo ? ['--demo'] : []), ...(listen ? ['--listen', '127.0.0.1:0'] : []), ...args],
    { env, cwd });
  const re = /serving MCP on (http:\/\/\S+\/mcp)/;
  let url;
  try {
    url = await withTimeout(new Promise((resolve, reject) => {
      const check = () => {
        const m = re.exec(g.stderr());
        if (m) { g.child.stderr.off('data', check); resolve(m[1]); }
      };
      g.child.stderr.on('data', check);
      g.exited.then(({ code, signal }) => reject(new Error(`mcpgate serve exited (${code ?? signal}) before listening:\n${g.stderr()}`)));
      check();
    }), timeout, 'mcpgate serve to listen');
  } catch (e) {
    killChild(g.child);
    e.message += `\nmcpgate's stderr so far:\n${g.stderr()}`;
    throw e;
  }
  const gate = {
    ...g,
    url,
    origin: new URL(url).origin,
    async stop({ timeout: t = 15000, signal = 'SIGTERM' } = {}) {
      const t0 = Date.now();
      if (g.child.exitCode === null && g.child.signalCode === null) g.child.kill(signal);
      const r = await withTimeout(g.exited, t, `mcpgate serve to exit after ${signal}`);
      return { ...r, ms: Date.now() - t0 };
    },
    /** Stop it; it must exit 0 with no sanitizer report. */
    async stopCleanly(o) {
      const r = await gate.stop(o);
      assert.equal(r.code, 0, g.stderr());
      assertCleanStderr(g.stderr());
      return r;
    },
    kill() { killChild(g.child); },
  };
  return gate;
}

/**
 * A fetch with a connection pool of its own (undici Agent with a tiny
 * keep-alive), so close() can drop every connection before the server is
 * stopped.  Falls back to the global fetch when undici does not resolve;
 * then `pooled` is false and a shutdown may wait for idle connections.
 */
export async function httpClient() {
  let undici = null;
  try { undici = await import('undici'); } catch { /* not installed */ }
  if (!undici) {
    return { fetch: globalThis.fetch.bind(globalThis), pooled: false, async close() {} };
  }
  const agent = new undici.Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });
  let closed = false;
  return {
    pooled: true,
    agent,
    fetch: (input, init = {}) => undici.fetch(input, { ...init, dispatcher: agent }),
    async close() {
      if (closed) return;
      closed = true;
      await agent.destroy().catch(() => {});
    },
  };
}

/**
 * Run fn({ gate, url, fetch, http }) against a fresh `mcpgate serve`, then
 * close the client's connections, SIGTERM the server and check: exit 0
 * within `stopWithin` ms, no sanitizer report.
 */
export async function withHttpGate(args, fn, { stopWithin = 5000, env } = {}) {
  const gate = await startHttpGate(args, { env });
  const http = await httpClient();
  try {
    await fn({ gate, url: gate.url, fetch: http.fetch, http });
    await http.close();
    const { code, signal, ms } = await gate.stop();
    assertCleanStderr(gate.stderr());
    assert.equal(signal, null, `mcpgate died of ${signal}; stderr:\n${gate.stderr()}`);
    assert.equal(code, 0, `mcpgate exited ${code}; stderr:\n${gate.stderr()}`);
    if (http.pooled) assert.ok(ms <= stopWithin, `mcpgate took ${ms} ms to stop (limit ${stopWithin})`);
  } finally {
    await http.close();
    gate.kill();
  }
}

export const ACCEPT_BOTH = 'application/json, text/event-stream';

/** POST whose reply is read as it streams; abort() drops the connection. */
export async function postStream(fetch, url, body, headers = {}) {
  const ac = new AbortController();
  const res = await withTimeout(fetch(url, {
    method: 'POST', signal: ac.signal,
    headers: { 'content-type': 'application/json', accept: ACCEPT_BOTH, ...headers },
    body: JSON.stringify(body),
  }), 5000, 'POST response headers');
  return { res, sse: new SseReader(res), abort: () => ac.abort() };
}

/**
 * POST a JSON-RPC body (a value, or a string sent as is).  Resolves to
 * { status, headers, contentType, text, json, response } once the whole body
 * has arrived (an SSE body stays text; see parseSse).
 */
export async function postRpc(fetchFn, url, body, headers = {}, { timeout = 8000 } = {}) {
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT_BOTH, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
  for (const [k, v] of Object.entries(init.headers)) if (v === undefined) delete init.headers[k];
  return readAll(fetchFn(url, init), timeout, `POST ${init.body.slice(0, 80)}`);
}

/** Send any request and read it whole, like postRpc. */
export async function httpRequest(fetchFn, url, init = {}, { timeout = 8000 } = {}) {
  return readAll(fetchFn(url, init), timeout, `${init.method ?? 'GET'} ${url}`);
}

async function readAll(responsePromise, timeout, what) {
  const work = (async () => {
    const response = await responsePromise;
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    let json;
    if (contentType.includes('application/json') && text.length > 0) {
      try { json = JSON.parse(text); } catch { json = undefined; }
    }
    return { status: response.status, headers: response.headers, contentType, text, json, response };
  })();
  return withTimeout(work, timeout, what);
}

/**
 * Parse a whole text/event-stream body into events { id, event, data, retry }
 * (data lines joined with "\n"; comments dropped).
 */
export function parseSse(text) {
  const events = [];
  for (const block of text.replace(/\r\n?/g, '\n').split('\n\n')) {
    if (block.trim() === '') continue;
    const ev = {};
    let data = null;
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      let value = i < 0 ? '' : line.slice(i + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data = data === null ? value : `${data}\n${value}`;
      else ev[field] = value;
    }
    if (data !== null) ev.data = data;
    if (Object.keys(ev).length > 0) events.push(ev);
  }
  return events;
}

/** The JSON-RPC messages in SSE events (events with empty data skipped). */
export function sseMessages(events) {
  return events.filter((e) => e.data !== undefined && e.data !== '').map((e) => JSON.parse(e.data));
}

/**
 * Read an open event stream incrementally: next() resolves to the next
 * event (or null at the end), close() cancels it.
 */
export class SseReader {
  constructor(response) {
    this.response = response;
    this._reader = response.body.getReader();
    this._decoder = new TextDecoder();
    this._buf = '';
    this._queue = [];
    this._done = false;
    this.raw = '';
  }

  async _fill() {
    const { value, done } = await this._reader.read();
    if (done) { this._done = true; return; }
    const chunk = this._decoder.decode(value, { stream: true });
    this.raw += chunk;
    this._buf += chunk.replace(/\r\n?/g, '\n');
    let i;
    while ((i = this._buf.indexOf('\n\n')) >= 0) {
      const block = this._buf.slice(0, i + 2);
      this._buf = this._buf.slice(i + 2);
      this._queue.push(...parseSse(block));
    }
  }

  /** The next event, or null when the stream ended. */
  async next({ timeout = 5000, what = 'an SSE event' } = {}) {
    const work = (async () => {
      while (this._queue.length === 0 && !this._done) await this._fill();
      return this._queue.length > 0 ? this._queue.shift() : null;
    })();
    return withTimeout(work, timeout, `${what}; stream so far:\n${this.raw}`);
  }

  /** The next event carrying a JSON-RPC message matching pred (others skipped). */
  async nextMessage(pred = () => true, opts = {}) {
    for (;;) {
      const ev = await this.next(opts);
      if (ev === null) throw new Error(`the event stream ended before the message awaited; stream:\n${this.raw}`);
      if (ev.data === undefined || ev.data === '') continue;
      const msg = JSON.parse(ev.data);
      if (pred(msg)) return { event: ev, msg };
    }
  }

  /** Read to the end (bounded); returns every event. */
  async rest({ timeout = 8000 } = {}) {
    const out = [];
    const end = Date.now() + timeout;
    for (;;) {
      const ev = await this.next({ timeout: Math.max(1, end - Date.now()), what: 'the end of the event stream' });
      if (ev === null) return out;
      out.push(ev);
    }
  }

  async close() {
    try { await this._reader.cancel(); } catch { /* gone */ }
  }
}

/** Headers of a modern (2026-07-28) POST for `method` (and Mcp-Name when given). */
export function modernHeaders(method, name, extra = {}) {
  const h = { 'mcp-protocol-version': MODERN_VERSION, 'mcp-method': method };
  if (name !== undefined) h['mcp-name'] = name;
  return { ...h, ...extra };
}

/** A modern request body: params plus the era's _meta. */
export function modernRequest(id, method, params = {}, metaExtra = {}, metaOpts = {}) {
  return { jsonrpc: '2.0', id, method, params: { ...params, _meta: modernMeta({ ...(params._meta ?? {}), ...metaExtra }, metaOpts) } };
}

/**
 * Open a legacy session over raw HTTP: initialize (+ notifications/initialized).
 * Returns { sid, version, result, headers(extra) } where headers() gives
 * the session's Mcp-Session-Id and MCP-Protocol-Version.
 */
export async function openLegacySession(fetchFn, url, protocolVersion = '2025-11-25', { capabilities = {} } = {}) {
  const r = await postRpc(fetchFn, url, {
    jsonrpc: '2.0', id: 0, method: 'initialize',
    params: { protocolVersion, capabilities, clientInfo: { name: 'mcpgate-integration', version: '0.0.0' } },
  });
  assert.equal(r.status, 200, `initialize: HTTP ${r.status} ${r.text}`);
  assert.ok(r.json?.result, `initialize failed: ${r.text}`);
  const sid = r.headers.get('mcp-session-id');
  assert.match(sid ?? '', /^[0-9a-f]{64}$/, 'no 64-hex Mcp-Session-Id on the initialize reply');
  const version = r.json.result.protocolVersion;
  const headers = (extra = {}) => ({ 'mcp-session-id': sid, 'mcp-protocol-version': version, ...extra });
  const n = await postRpc(fetchFn, url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers());
  assert.equal(n.status, 202, `notifications/initialized: HTTP ${n.status} ${n.text}`);
  return { sid, version, result: r.json.result, headers };
}
