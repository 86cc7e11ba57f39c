// upstream_isolation.test.mjs - isolation: session.  Each client session
// that calls a server gets a process of its own, started on its first call
// and stopped when the session ends; 200 sessions opened and closed leave
// no process behind; 2026-07-28 requests of one API key share one,
// stopped once idle; a process started while the gateway holds an HTTP
// upstream's connection gets none of its descriptors.  Upstream:
// tests/integration/fixtures/growing_server.mjs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, writeFileSync, rmSync, readdirSync, readlinkSync } from 'node:fs';
import { httpClient, openLegacySession, postRpc, httpRequest, resultText, sleep, startHttpGate, modernMeta,
  MODERN_VERSION } from './lib.mjs';
import { runCli } from './cli.mjs';
import { NODE, FIXTURES, pids, withGateway, waitForTool, startHttpFixture } from './upstreams.mjs';

const opts = { timeout: 120_000 };
const config = (mark) => `listen: 127.0.0.1:0
servers:
  - name: solo
    command: ${NODE}
    args: [${path.join(FIXTURES, 'growing_server.mjs')}, ${mark}]
    isolation: session
`;

async function waitForCount(mark, n, ms = 20_000) {
  const end = Date.now() + ms;
  while (pids(mark).length !== n && Date.now() < end) await sleep(100);
  return pids(mark).length;
}

const pidOf = async (client) => resultText(await client.callTool({ name: 'solo__pid', arguments: {} }));

const instancesReady = async (gate) =>
  (await (await fetch(`${gate.origin}/readyz`)).json()).servers.instances.ready;

test('each client session gets its own process, stopped with the session', opts, async () => {
  const mark = `mcpgate-test-iso-${process.pid}-${Date.now()}`;
  await withGateway(config(mark), async ({ client, connect, gate }) => {
    await waitForTool(client, 'solo__pid');
    assert.equal(pids(mark).length, 1, 'only the discovering process before any call');
    const a = await pidOf(client);
    assert.equal(await pidOf(client), a, 'one session, one process');
    const other = await connect();
    const b = await pidOf(other);
    assert.notEqual(a, b, 'two sessions shared a process');
    assert.equal(pids(mark).length, 3);
    assert.equal(await instancesReady(gate), 2, '/readyz counts the two sessions\' instances');
    await other.transport.terminateSession();
    assert.equal(await waitForCount(mark, 2), 2, 'the ended session kept its process');
    assert.equal(await instancesReady(gate), 1, '/readyz still counts the ended session\'s instance');
    assert.ok(!pids(mark).includes(Number(b)));
    assert.equal(await pidOf(client), a, 'the other session lost its process');
  });
  await sleep(200);
  assert.deepEqual(pids(mark), [], 'processes outlived the gateway');
});

test('200 sessions opened and closed leave no process behind', opts, async () => {
  const mark = `mcpgate-test-iso200-${process.pid}-${Date.now()}`;
  await withGateway(config(mark), async ({ client, gate }) => {
    await waitForTool(client, 'solo__pid');
    const http = await httpClient();
    const seen = new Set();
    let peak = 0;
    try {
      const one = async () => {
        const s = await openLegacySession(http.fetch, gate.url);
        const r = await postRpc(http.fetch, gate.url, { jsonrpc: '2.0', id: 1, method: 'tools/call',
          params: { name: 'solo__pid', arguments: {} } }, s.headers(), { timeout: 30_000 });
        const pid = r.json?.result?.content?.[0]?.text;
        assert.match(pid ?? '', /^\d+$/, r.text);
        seen.add(pid);
        const d = await httpRequest(http.fetch, gate.url, { method: 'DELETE', headers: s.headers() });
        assert.equal(d.status, 200, d.text);
      };
      for (let i = 0; i < 200; i += 10) {
        await Promise.all(Array.from({ length: 10 }, one));
        peak = Math.max(peak, pids(mark).length);
      }
    } finally {
      await http.close();
    }
    assert.equal(seen.size, 200, 'every session had a process of its own');
    assert.ok(peak <= 1 + 10 + 10, `${peak} processes at once for 10 sessions at a time`);
    assert.equal(await waitForCount(mark, 1), 1, `processes left behind: ${pids(mark).length - 1}`);
  });
  await sleep(200);
  assert.deepEqual(pids(mark), []);
});

test('sessions ended while their instance\'s process is dead or restarting leave the gateway sound', opts, async () => {
  // The instance is closed with its process already gone: its link ends
  // at once, and everything the instance holds must still be closed
  // before it is freed (the gateway runs under AddressSanitizer here).
  const mark = `mcpgate-test-isodead-${process.pid}-${Date.now()}`;
  await withGateway(config(mark), async ({ client, gate }) => {
    await waitForTool(client, 'solo__pid');
    const http = await httpClient();
    try {
      for (let i = 0; i < 12; i++) {
        const s = await openLegacySession(http.fetch, gate.url);
        const r = await postRpc(http.fetch, gate.url, { jsonrpc: '2.0', id: 1, method: 'tools/call',
          params: { name: 'solo__pid', arguments: {} } }, s.headers(), { timeout: 30_000 });
        const pid = Number(r.json?.result?.content?.[0]?.text);
        assert.ok(pid > 0, r.text);
        process.kill(pid, 'SIGKILL');
        await sleep(i * 25); // before, while and after the gateway notices
        const d = await httpRequest(http.fetch, gate.url, { method: 'DELETE', headers: s.headers() });
        assert.equal(d.status, 200, d.text);
      }
    } finally {
      await http.close();
    }
    assert.match(await pidOf(client), /^\d+$/, 'the gateway stopped serving');
    assert.equal(await waitForCount(mark, 2), 2, `processes left behind: ${pids(mark).length - 2}`);
  });
  await sleep(200);
  assert.deepEqual(pids(mark), [], 'processes outlived the gateway');
});

// A 2026-07-28 request has no session: with an API key, the key's
// requests share one instance, kept until it has had no call for
// session_idle_timeout; another key gets another.
test('2026-07-28 requests of one API key share an instance, stopped once idle', opts, async () => {
  const mark = `mcpgate-test-isokey-${process.pid}-${Date.now()}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-isokey-'));
  const file = path.join(dir, 'gw.yaml'), state = path.join(dir, 'state');
  writeFileSync(file, `session_idle_timeout: 2\n${config(mark).replace(/^listen:.*\n/, '')}` +
    'projects:\n  - name: work\n    servers: [solo]\n');
  const key = async (name) => {
    const r = await runCli(['keys', 'create', '--config', file, '--state-dir', state, '--name', name,
      '--project', 'work', '--scope', 'write', '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).secret;
  };
  const alice = await key('alice'), bob = await key('bob');
  const gate = await startHttpGate(['--config', file, '--state-dir', state, '--auth', 'required'], { demo: false });
  const http = await httpClient();
  let id = 0;
  const pidFor = async (secret) => {
    const r = await postRpc(http.fetch, gate.url, { jsonrpc: '2.0', id: ++id, method: 'tools/call',
      params: { name: 'solo__pid', arguments: {}, _meta: modernMeta() } },
    { authorization: `Bearer ${secret}`, 'mcp-protocol-version': MODERN_VERSION, 'mcp-method': 'tools/call',
      'mcp-name': 'solo__pid' }, { timeout: 30_000 });
    const pid = r.json?.result?.content?.[0]?.text;
    assert.match(pid ?? '', /^\d+$/, r.text);
    return pid;
  };
  try {
    for (let i = 0; i < 100 && !gate.stderr().includes('upstream solo ready'); i++) await sleep(100);
    const a = await pidFor(alice);
    assert.equal(await pidFor(alice), a, 'one key, one instance');
    const b = await pidFor(bob);
    assert.notEqual(a, b, 'two keys shared an instance');
    assert.equal(pids(mark).length, 3);
    assert.equal(await waitForCount(mark, 1, 8000), 1, 'the idle instances were not stopped');
    assert.notEqual(await pidFor(alice), a, 'a stopped instance answered');
    await http.close();
    await gate.stopCleanly();
  } finally {
    await http.close();
    gate.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(pids(mark), []);
});

/** The files (socket:[n], pipe:[n], paths) PID holds at descriptors from 3 up. */
function openFiles(pid) {
  const out = new Map();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    if (Number(fd) < 3) continue;
    try {
      out.set(readlinkSync(`/proc/${pid}/fd/${fd}`), fd);
    } catch {
      // closed while listed
    }
  }
  return out;
}

test('a process started while an HTTP upstream is connected holds none of the gateway\'s descriptors', opts, async () => {
  const mark = `mcpgate-test-isofd-${process.pid}-${Date.now()}`;
  const web = await startHttpFixture('level_server.mjs');
  try {
    await withGateway(`${config(mark)}  - name: web
    url: ${web.url}
`, async ({ client, connect, gate }) => {
      await waitForTool(client, 'solo__pid');
      await waitForTool(client, 'web__level');
      // The gateway now keeps a connection to the HTTP upstream open.
      await client.callTool({ name: 'web__level', arguments: {} });
      const pid = Number(await pidOf(await connect()));
      const gateway = openFiles(gate.child.pid);
      assert.ok([...gateway.keys()].some((f) => f.startsWith('socket:')), 'the gateway holds no socket');
      const shared = [...openFiles(pid).keys()].filter((f) => /^(socket|pipe):/.test(f) && gateway.has(f));
      assert.deepEqual(shared, [], `upstream process ${pid} inherited the gateway's ${shared.join(', ')}`);
    });
  } finally {
    web.stop();
  }
});
