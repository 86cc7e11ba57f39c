// keys.test.mjs - API keys: `mcpgate keys create|list|revoke` through the
// real binary on a temporary state directory, and the HTTP front door
// with keys required: 401 (with WWW-Authenticate) for the official SDK
// clients of both eras without a key or with a bad one, a key revoked
// while its session is open refused on the next request, a session not
// usable with another key, the client's key never sent upstream, no
// secret in any log line, and the store private (0600 in a 0700 dir).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, statSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport as SseV1 } from '@modelcontextprotocol/sdk/client/sse.js';
import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from '@modelcontextprotocol/client';
import {
  MCPGATE_BIN, MODERN_VERSION, DEMO_TOOLS, childEnv, startHttpGate, httpClient, postRpc, httpRequest,
  modernHeaders, modernRequest, postStream, assertCleanStderr, resultText, withTimeout, sleep, killChild, waitForBinary,
  SseReader,
} from './lib.mjs';

const opts = { timeout: 30_000 };
const SECRET_RE = /^sk-mcpgate-[0-9A-Za-z]{43}$/;
const REALM = 'Bearer realm="mcpgate"';

/** A fresh directory; the state directory inside it does not exist yet. */
function tempDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-keys-'));
  return { dir, state: path.join(dir, 'state'), rm: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Run `mcpgate ARGS`; resolves to { code, stdout, stderr }. */
async function mcpgate(args, { env } = {}) {
  await waitForBinary();
  const child = spawn(MCPGATE_BIN, args, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const code = await withTimeout(new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }), 10_000, `mcpgate ${args.join(' ')}`).finally(() => killChild(child));
  assertCleanStderr(stderr, `mcpgate ${args[0]} ${args[1] ?? ''}`);
  return { code, stdout, stderr };
}

/** Create a key; returns { id, name, secret, ... } from --json. */
async function createKey(state, name, { projects = 'web', scope = 'write', extra = [] } = {}) {
  const r = await mcpgate(['keys', 'create', '--state-dir', state, '--name', name, '--project', projects,
    '--scope', scope, '--json', ...extra]);
  assert.equal(r.code, 0, `keys create ${name}: ${r.stderr}`);
  const key = JSON.parse(r.stdout);
  assert.match(key.secret, SECRET_RE);
  return key;
}

async function listKeys(state, all = false) {
  const r = await mcpgate(['keys', 'list', '--state-dir', state, '--json', ...(all ? ['--all'] : [])]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const bearer = (key) => ({ authorization: `Bearer ${typeof key === 'string' ? key : key.secret}` });

/** No secret of KEYS anywhere in TEXT (a log, a file's bytes). */
function assertNoSecrets(text, keys, what) {
  for (const k of keys) {
    const s = typeof k === 'string' ? k : k.secret;
    assert.ok(!text.includes(s), `${what} contains a secret`);
    // Not even most of one (a log line cut short, a prefix "for reference").
    assert.ok(!text.includes(s.slice(0, 24)), `${what} contains the start of a secret`);
  }
}

/** Serve --demo with keys required on STATE; fn({ gate, fetch, url }). */
async function withKeyedGate(state, fn, { args = ['--auth', 'required'], secrets = () => [] } = {}) {
  const gate = await startHttpGate(['--state-dir', state, '--log-level', 'debug', ...args]);
  const http = await httpClient();
  try {
    await fn({ gate, fetch: http.fetch, url: gate.url, http });
    await http.close();
    const { code, signal } = await gate.stop();
    assert.equal(signal, null, `mcpgate died of ${signal}; stderr:\n${gate.stderr()}`);
    assert.equal(code, 0, `mcpgate exited ${code}; stderr:\n${gate.stderr()}`);
    assertCleanStderr(gate.stderr());
    assertNoSecrets(gate.stderr(), secrets(), 'the gateway log');
  } finally {
    await http.close();
    gate.kill();
  }
}

const v1Client = () => new ClientV1({ name: 'mcpgate-it-keys-v1', version: '0.0.0' });
const v2Client = () => new ClientV2({ name: 'mcpgate-it-keys-v2', version: '0.0.0' }, { versionNegotiation: { mode: 'auto' } });

/** A fetch that records each response's status and WWW-Authenticate. */
function tapFetch(fetch) {
  const seen = [];
  const f = async (input, init = {}) => {
    const res = await fetch(input, init);
    seen.push({ method: init.method ?? 'GET', status: res.status, challenge: res.headers.get('www-authenticate'),
      auth: new Headers(init.headers).get('authorization'), version: new Headers(init.headers).get('mcp-protocol-version') });
    return res;
  };
  return { fetch: f, seen };
}

// --- the CLI ----------------------------------------------------------------------

test('keys create, list and revoke through the binary; the store is 0600 in a 0700 directory', opts, async () => {
  const t = tempDir();
  try {
    // Plain create: the secret alone on stdout, the rest on stderr.
    const a = await mcpgate(['keys', 'create', '--state-dir', t.state, '--name', 'alice', '--project', 'web',
      '--scope', 'write']);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /^sk-mcpgate-[0-9A-Za-z]{43}\n$/);
    const alice = { secret: a.stdout.trim() };
    const aliceId = /Created key (key_[0-9a-f]{12}) for 'alice'/.exec(a.stderr)?.[1];
    assert.ok(aliceId, a.stderr);
    assert.match(a.stderr, /shown this once/);

    // The state directory from the environment; --json; two projects.
    const b = await mcpgate(['keys', 'create', '--name', 'bob', '--project', 'web,api', '--default', 'api',
      '--scope', 'read', '--json'], { env: { MCPGATE_STATE_DIR: t.state } });
    assert.equal(b.code, 0, b.stderr);
    const bob = JSON.parse(b.stdout);
    assert.deepEqual({ ...bob, id: undefined, secret: undefined, created_at: undefined },
      { id: undefined, name: 'bob', projects: ['web', 'api'], default_project: 'api', scope: 'read', secret: undefined,
        created_at: undefined });
    assert.match(bob.id, /^key_[0-9a-f]{12}$/);
    assert.match(bob.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.notEqual(bob.secret, alice.secret);

    // A name in use; usage errors exit 2 and say what to do.
    const dup = await mcpgate(['keys', 'create', '--state-dir', t.state, '--name', 'alice', '--project', 'web', '--scope', 'read']);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already named 'alice'/);
    assert.equal(dup.stdout, '');
    for (const [args, re] of [
      [['keys', 'create', '--name', 'x', '--project', 'web'], /--scope is required/],
      [['keys', 'create', '--name', 'x', '--project', 'web', '--scope', 'admin'], /--scope is 'read' or 'write'/],
      [['keys', 'create', '--name', 'x', '--scope', 'read'], /--project is required/],
      [['keys', 'create', '--project', 'web', '--scope', 'read'], /--name is required/],
      [['keys', 'create', '--name', 'two words', '--project', 'web', '--scope', 'read'], /not a key name/],
      [['keys', 'create', '--name', 'x', '--project', 'web', '--default', 'api', '--scope', 'read'], /not one of the key's projects/],
      [['keys', 'create', '--name', 'x', '--project', 'web', '--scope', 'read', '--bogus'], /unknown option '--bogus'/],
      [['keys', 'revoke'], /which key\?/],
      [['keys', 'revoke', 'a', 'b'], /one key at a time/],
      [['keys', 'list', '--nope'], /unknown option/],
      [['keys', 'frob'], /unknown keys command 'frob'/],
      [['keys'], /usage: mcpgate keys/],
    ]) {
      const r = await mcpgate(args, { env: { MCPGATE_STATE_DIR: t.state } });
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, re, args.join(' '));
      assert.equal(r.stdout, '', `${args.join(' ')} printed to stdout`);
    }
    for (const sub of ['create', 'list', 'revoke']) {
      const h = await mcpgate(['keys', sub, '--help']);
      assert.equal(h.code, 0);
      assert.match(h.stdout, /examples:\n {2}mcpgate keys /, `keys ${sub} --help`);
    }

    // list: names, ids, projects; never a secret.
    const table = await mcpgate(['keys', 'list', '--state-dir', t.state]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID +NAME +PROJECTS +SCOPE +CREATED +LAST USED\n/);
    assert.match(table.stdout, new RegExp(`${aliceId} +alice +web\\* +write +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\dZ +never\\n`));
    assert.match(table.stdout, new RegExp(`${bob.id} +bob +web,api\\* +read `));
    assertNoSecrets(table.stdout + table.stderr, [alice, bob], 'keys list');
    const listed = await listKeys(t.state);
    assert.deepEqual(listed.map((k) => k.name), ['alice', 'bob']);
    assert.equal(listed[0].last_used_at, null);
    assert.equal(listed[0].revoked_at, null);
    assert.ok(listed.every((k) => !('secret' in k) && !('hash' in k)));

    // revoke by id; again (not an error); an unknown one (an error).
    const rv = await mcpgate(['keys', 'revoke', '--state-dir', t.state, aliceId]);
    assert.equal(rv.code, 0, rv.stderr);
    assert.match(rv.stderr, new RegExp(`Revoked key ${aliceId} \\('alice'\\)`));
    const again = await mcpgate(['keys', 'revoke', '--state-dir', t.state, aliceId]);
    assert.equal(again.code, 0);
    assert.match(again.stderr, /already revoked/);
    const unknown = await mcpgate(['keys', 'revoke', '--state-dir', t.state, 'key_000000000000']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no key with id or active name 'key_000000000000'; 'mcpgate keys list --all'/);
    assert.deepEqual((await listKeys(t.state)).map((k) => k.name), ['bob']);
    const all = await listKeys(t.state, true);
    assert.equal(all.length, 2);
    assert.match(all.find((k) => k.name === 'alice').revoked_at, /Z$/);
    // Revoke by name; the name is then free for a new key.
    assert.equal((await mcpgate(['keys', 'revoke', '--state-dir', t.state, 'bob'])).code, 0);
    await createKey(t.state, 'alice');

    // Private: 0700 directory, 0600 file (and WAL files if left).
    assert.equal(statSync(t.state).mode & 0o777, 0o700);
    const files = readdirSync(t.state);
    assert.ok(files.includes('mcpgate.db'), files.join(' '));
    let bytes = '';
    for (const f of files) {
      assert.equal(statSync(path.join(t.state, f)).mode & 0o777, 0o600, `${f} mode`);
      bytes += readFileSync(path.join(t.state, f), 'latin1');
    }
    // Only hashes are stored.
    assertNoSecrets(bytes, [alice, bob], 'the store');
  } finally {
    t.rm();
  }
});

// --- the front door ---------------------------------------------------------------

test('401 with WWW-Authenticate without a key or with a bad one, raw and through both SDKs', opts, async () => {
  const t = tempDir();
  try {
    const key = await createKey(t.state, 'alice');
    const bad = `sk-mcpgate-${'A'.repeat(43)}`;
    await withKeyedGate(t.state, async ({ fetch, url, gate }) => {
      // Probes stay open.
      assert.equal((await httpRequest(fetch, `${gate.origin}/healthz`)).status, 200);
      assert.equal((await httpRequest(fetch, `${gate.origin}/readyz`)).status, 200);

      const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };
      for (const [what, headers, challenge] of [
        ['no key', {}, REALM],
        ['another scheme', { authorization: 'Basic YWxpY2U6c2VjcmV0' }, REALM],
        ['an empty bearer', { authorization: 'Bearer ' }, REALM],
        ['an unknown key', bearer(bad), `${REALM}, error="invalid_token", error_description="the API key is unknown or revoked"`],
        ['a key cut short', bearer(key.secret.slice(0, -1)), /error="invalid_token"/],
      ]) {
        for (const [where, send] of [
          ['legacy POST', () => postRpc(fetch, url, ping, headers)],
          ['modern POST', () => postRpc(fetch, url, modernRequest(1, 'tools/list'), { ...modernHeaders('tools/list'), ...headers })],
          ['GET', () => httpRequest(fetch, url, { headers: { accept: 'text/event-stream', ...headers } })],
          ['/servers/<name>/mcp', () => postRpc(fetch, `${gate.origin}/servers/nosuch/mcp`, ping, headers)],
          ['/sse', () => httpRequest(fetch, `${gate.origin}/sse`, { headers: { accept: 'text/event-stream', ...headers } })],
        ]) {
          const r = await send();
          assert.equal(r.status, 401, `${what}, ${where}: HTTP ${r.status} ${r.text}`);
          const got = r.headers.get('www-authenticate');
          if (challenge instanceof RegExp) assert.match(got, challenge, `${what}, ${where}`);
          else assert.equal(got, challenge, `${what}, ${where}`);
          assert.equal(r.json?.jsonrpc, '2.0', `${what}, ${where}: ${r.text}`);
          assert.equal(r.json.error.code, -32600);
          assert.match(r.json.error.message, /^Unauthorized: /);
        }
      }
      // Two Authorization values (fetch joins them into one): refused.
      const two = await postRpc(fetch, url, ping, { authorization: [`Bearer ${key.secret}`, `Bearer ${bad}`].join(', ') });
      assert.equal(two.status, 401, 'a comma-joined pair is one malformed token');

      // v1 SDK (legacy era): no key, then a bad key, then the key.
      for (const headers of [{}, bearer(bad)]) {
        const tap = tapFetch(fetch);
        const client = v1Client();
        await assert.rejects(withTimeout(client.connect(new HttpV1(new URL(url), { fetch: tap.fetch, requestInit: { headers } })), 8000, 'v1 connect'),
          (e) => /401/.test(String(e?.code ?? '') + e.message), 'v1 connect without a valid key');
        assert.equal(tap.seen[0].status, 401);
        assert.match(tap.seen[0].challenge, /^Bearer realm="mcpgate"/);
        await client.close().catch(() => {});
      }
      {
        const tap = tapFetch(fetch);
        const client = v1Client();
        await withTimeout(client.connect(new HttpV1(new URL(url), { fetch: tap.fetch, requestInit: { headers: bearer(key) } })), 8000, 'v1 connect');
        assert.deepEqual((await client.listTools()).tools.map((x) => x.name).sort(), DEMO_TOOLS);
        assert.equal(resultText(await client.callTool({ name: 'demo__echo', arguments: { text: 'keyed' } })), 'keyed');
        assert.ok(tap.seen.every((s) => s.status < 400), JSON.stringify(tap.seen));
        await client.close();
      }

      // v1 SDK over the 2024-11-05 HTTP+SSE transport, with the key on both the stream and the posts.
      {
        const withKey = (f) => (u, init = {}) => f(u, { ...init, headers: { ...Object.fromEntries(new Headers(init.headers)), ...bearer(key) } });
        const client = v1Client();
        await withTimeout(client.connect(new SseV1(new URL(`${gate.origin}/sse`), { fetch: withKey(fetch),
          eventSourceInit: { fetch: withKey(fetch) } })), 8000, 'v1 SSE connect');
        assert.equal(resultText(await client.callTool({ name: 'demo__echo', arguments: { text: 'old sse' } })), 'old sse');
        await client.close();
      }

      // v2 client (2026-07-28): the bearer token from an AuthProvider.
      for (const token of [undefined, bad]) {
        const tap = tapFetch(fetch);
        const client = v2Client();
        await assert.rejects(withTimeout(client.connect(new HttpV2(new URL(url), { fetch: tap.fetch,
          authProvider: { token: async () => token } })), 8000, 'v2 connect'), 'v2 connect without a valid key');
        assert.ok(tap.seen.length > 0 && tap.seen.every((s) => s.status === 401), JSON.stringify(tap.seen));
        assert.match(tap.seen[0].challenge, /^Bearer realm="mcpgate"/);
        await client.close().catch(() => {});
      }
      {
        const tap = tapFetch(fetch);
        const client = v2Client();
        await withTimeout(client.connect(new HttpV2(new URL(url), { fetch: tap.fetch,
          authProvider: { token: async () => key.secret } })), 8000, 'v2 connect');
        assert.equal(resultText(await client.callTool({ name: 'demo__echo', arguments: { text: 'modern' } })), 'modern');
        assert.ok(tap.seen.every((s) => s.status < 400 && s.auth === `Bearer ${key.secret}`), JSON.stringify(tap.seen));
        assert.ok(tap.seen.every((s) => s.version === MODERN_VERSION), 'the v2 client did not speak 2026-07-28');
        await client.close();
      }
    }, { secrets: () => [key, bad] });

    // A use is recorded (committed by the writer before serve exits).
    const [after] = await listKeys(t.state);
    assert.match(after.last_used_at, /Z$/);
  } finally {
    t.rm();
  }
});

test('a key revoked while its session is open is refused on its next request, and its streams end', opts, async () => {
  const t = tempDir();
  try {
    const a = await createKey(t.state, 'alice');
    const b = await createKey(t.state, 'bob');
    await withKeyedGate(t.state, async ({ fetch, url, gate }) => {
      const client = v1Client();
      await withTimeout(client.connect(new HttpV1(new URL(url), { fetch, requestInit: { headers: bearer(a) } })), 8000, 'v1 connect');
      assert.equal(resultText(await client.callTool({ name: 'demo__echo', arguments: { text: 'before' } })), 'before');
      const other = v1Client();
      await withTimeout(other.connect(new HttpV1(new URL(url), { fetch, requestInit: { headers: bearer(b) } })), 8000, 'v1 connect b');

      // A raw session of alice's with its GET stream open.
      const init = await postRpc(fetch, url, { jsonrpc: '2.0', id: 0, method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }, bearer(a));
      assert.equal(init.status, 200, init.text);
      const sid = init.headers.get('mcp-session-id');
      const sh = { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25', ...bearer(a) };
      assert.equal((await postRpc(fetch, url, { jsonrpc: '2.0', method: 'notifications/initialized' }, sh)).status, 202);
      const ac = new AbortController();
      const get = await fetch(url, { headers: { accept: 'text/event-stream', ...sh }, signal: ac.signal });
      assert.equal(get.status, 200);
      const stream = new SseReader(get);
      // A 2026-07-28 subscriptions/listen stream of alice's, and one of bob's.
      const listen = (key) => postStream(fetch, url, modernRequest(`sub-${key.name}`, 'subscriptions/listen',
        { notifications: { toolsListChanged: true } }), { ...modernHeaders('subscriptions/listen'), ...bearer(key) });
      const la = await listen(a), lb = await listen(b);
      for (const l of [la, lb]) {
        assert.equal(l.res.status, 200);
        assert.equal((await l.sse.nextMessage()).msg.method, 'notifications/subscriptions/acknowledged');
      }

      const rv = await mcpgate(['keys', 'revoke', '--state-dir', t.state, a.id]);
      assert.equal(rv.code, 0, rv.stderr);
      // The very next request: refused, in the session and outside it.
      await assert.rejects(client.callTool({ name: 'demo__echo', arguments: { text: 'after' } }), /401|Unauthorized/);
      const inSession = await postRpc(fetch, url, { jsonrpc: '2.0', id: 5, method: 'tools/list' }, sh);
      assert.equal(inSession.status, 401);
      assert.match(inSession.headers.get('www-authenticate'), /error="invalid_token"/);
      const modern = await postRpc(fetch, url, modernRequest(6, 'tools/list'), { ...modernHeaders('tools/list'), ...bearer(a) });
      assert.equal(modern.status, 401);
      // Bob is not affected.
      assert.equal(resultText(await other.callTool({ name: 'demo__echo', arguments: { text: 'bob' } })), 'bob');
      // Alice's open streams are ended by the gateway within about a second.
      const rest = await stream.rest({ timeout: 5000 });
      assert.ok(Array.isArray(rest));
      await la.sse.rest({ timeout: 5000 });
      // Bob's listen stream is still open: it ends only when we close it.
      await assert.rejects(lb.sse.next({ timeout: 300 }), /timed out/);
      lb.abort();
      assert.match(gate.stderr(), new RegExp(`session ${sid.slice(0, 8)} ended: its key ${a.id} was revoked`));
      ac.abort();
      await client.close().catch(() => {});
      await other.close();
    }, { secrets: () => [a, b] });
  } finally {
    t.rm();
  }
});

test('a session opened with one key does not exist for another (404), and still works for its own', opts, async () => {
  const t = tempDir();
  try {
    const a = await createKey(t.state, 'alice');
    const b = await createKey(t.state, 'bob');
    await withKeyedGate(t.state, async ({ fetch, url, gate }) => {
      const init = await postRpc(fetch, url, { jsonrpc: '2.0', id: 0, method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }, bearer(a));
      assert.equal(init.status, 200, init.text);
      const sid = init.headers.get('mcp-session-id');
      const as = (key) => ({ 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25', ...bearer(key) });
      assert.equal((await postRpc(fetch, url, { jsonrpc: '2.0', method: 'notifications/initialized' }, as(a))).status, 202);

      const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
      const unknownSession = await postRpc(fetch, url, list, { ...as(b), 'mcp-session-id': 'f'.repeat(64) });
      const stolen = await postRpc(fetch, url, list, as(b));
      assert.equal(stolen.status, 404, stolen.text);
      // Exactly what an unknown session id gets: no oracle.
      assert.equal(stolen.text, unknownSession.text);
      assert.equal((await httpRequest(fetch, url, { headers: { accept: 'text/event-stream', ...as(b) } })).status, 404);
      assert.equal((await httpRequest(fetch, url, { method: 'DELETE', headers: as(b) })).status, 404);
      // The owner's session survived all that.
      const mine = await postRpc(fetch, url, list, as(a));
      assert.equal(mine.status, 200, mine.text);
      assert.deepEqual(mine.json.result.tools.map((x) => x.name).sort(), DEMO_TOOLS);

      // The same through the SDK: bob's transport handed alice's session id.
      const client = v1Client();
      const tap = tapFetch(fetch);
      await assert.rejects(withTimeout(client.connect(new HttpV1(new URL(url), { fetch: tap.fetch, sessionId: sid,
        requestInit: { headers: bearer(b) } })).then(() => client.listTools()), 8000, 'v1 with a foreign session'), /404|not found/i);
      await client.close().catch(() => {});

      // HTTP+SSE: the stream's session takes no posts with another key.
      const ac = new AbortController();
      const sse = await fetch(`${gate.origin}/sse`, { headers: { accept: 'text/event-stream', ...bearer(a) }, signal: ac.signal });
      assert.equal(sse.status, 200);
      const reader = new SseReader(sse);
      const endpoint = (await reader.next()).data;
      assert.match(endpoint, /^\/messages\?sessionId=[0-9a-f]{64}$/);
      const post = (key) => postRpc(fetch, `${gate.origin}${endpoint}`, { jsonrpc: '2.0', id: 1, method: 'ping' }, bearer(key));
      assert.equal((await post(b)).status, 404);
      assert.equal((await post(a)).status, 202);
      ac.abort();
      await reader.close();
      assert.equal((await httpRequest(fetch, url, { method: 'DELETE', headers: as(a) })).status, 200);
    }, { secrets: () => [a, b] });
  } finally {
    t.rm();
  }
});

test('auth auto: loopback needs no key; auth: required in the config, or a non-loopback address, requires one', opts, async () => {
  const t = tempDir();
  try {
    const key = await createKey(t.state, 'alice');
    const list = modernRequest(1, 'tools/list');
    const ping = (fetch, url, headers = {}) => postRpc(fetch, url, list, { ...modernHeaders('tools/list'), ...headers });
    // Loopback, no setting: open as before (the store of that state
    // directory holds the call record, and no key).
    const other = path.join(t.dir, 'other');
    await withKeyedGate(other, async ({ fetch, url }) => {
      assert.equal((await postRpc(fetch, url, list, modernHeaders('tools/list'))).status, 200);
    }, { args: [] });
    assert.deepEqual(await listKeys(other), []);

    // The config file turns it on (and names the state directory).
    const cfg = path.join(t.dir, 'gw.yaml');
    writeFileSync(cfg, `auth: required\nstate_dir: ${t.state}\n`);
    const gate = await startHttpGate(['--config', cfg]);
    const http = await httpClient();
    try {
      assert.equal((await ping(http.fetch, gate.url)).status, 401);
      assert.equal((await ping(http.fetch, gate.url, bearer(key))).status, 200);
      assert.match(gate.stderr(), /API keys required: 1 active in .*mcpgate\.db/);
    } finally {
      await http.close();
      await gate.stop();
      gate.kill();
    }

    // Any address but loopback: keys, whatever the setting.
    await withKeyedGate(t.state, async ({ fetch, gate: g }) => {
      const url = g.url.replace('://0.0.0.0:', '://127.0.0.1:');
      assert.equal((await ping(fetch, url)).status, 401);
      assert.equal((await ping(fetch, url, bearer(key))).status, 200);
    }, { args: ['--listen', '0.0.0.0:0', '--auth', 'auto'], secrets: () => [key] });

    // Keys required but no usable store: refuse to start, saying why.
    const r = await mcpgate(['serve', '--demo', '--listen', '127.0.0.1:0', '--auth', 'required', '--state-dir', '/proc/mcpgate-nope']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /API keys are required .* but the key store cannot be opened: cannot create the state directory \/proc\/mcpgate-nope/);
    assert.doesNotMatch(r.stderr, /serving MCP/);
  } finally {
    t.rm();
  }
});

/**
 * A minimal Streamable HTTP MCP server (no sessions) on a free loopback
 * port that keeps the headers of every request it gets.  Its one tool,
 * `echo`, answers "ok".
 */
async function recordingUpstream() {
  const http = await import('node:http');
  const requests = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      requests.push({ method: req.method, headers: req.headers });
      if (req.method !== 'POST') { res.writeHead(405).end(); return; }
      const m = JSON.parse(body);
      const reply = (result) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: m.id, result }));
      };
      if (m.id === undefined) { res.writeHead(202).end(); return; }
      if (m.method === 'initialize') return reply({ protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'rec', version: '1' } });
      if (m.method === 'tools/list') return reply({ tools: [{ name: 'echo', inputSchema: { type: 'object' } }] });
      if (m.method === 'tools/call') return reply({ content: [{ type: 'text', text: 'ok' }] });
      return reply({});
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/mcp`, requests, close: () => new Promise((r) => server.close(r)) };
}

test('the client\'s key never reaches an upstream; the configured headers do', opts, async () => {
  const t = tempDir();
  const up = await recordingUpstream();
  try {
    const key = await createKey(t.state, 'alice');
    const cfg = path.join(t.dir, 'gw.yaml');
    writeFileSync(cfg, `auth: required
state_dir: ${t.state}
servers:
  - name: up
    url: ${up.url}
    headers: { X-Team-Token: configured }
`);
    const gate = await startHttpGate(['--config', cfg, '--log-level', 'debug'], { demo: false });
    const http = await httpClient();
    const client = v1Client();
    try {
      await withTimeout(client.connect(new HttpV1(new URL(gate.url), { fetch: http.fetch, requestInit: { headers: bearer(key) } })), 8000, 'connect');
      const end = Date.now() + 15_000;
      while (!(await client.listTools()).tools.some((x) => x.name === 'up__echo')) {
        assert.ok(Date.now() < end, `up__echo never appeared: ${gate.stderr()}`);
        await sleep(100);
      }
      const calls = up.requests.length;
      assert.equal(resultText(await client.callTool({ name: 'up__echo', arguments: {} })), 'ok');
      assert.ok(up.requests.length > calls, 'the call did not reach the upstream');
      for (const r of up.requests) {
        assert.equal(r.headers['x-team-token'], 'configured');
        assert.equal(r.headers.authorization, undefined, `the upstream got Authorization: ${r.headers.authorization}`);
        assertNoSecrets(JSON.stringify(r.headers), [key], 'an upstream request');
      }
      await client.close();
      await http.close();
      await gate.stopCleanly();
      assertNoSecrets(gate.stderr(), [key], 'the gateway log');
    } finally {
      await http.close();
      gate.kill();
    }
  } finally {
    await up.close();
    t.rm();
  }
});
