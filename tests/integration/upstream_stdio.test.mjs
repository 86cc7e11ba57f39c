// upstream_stdio.test.mjs - stdio servers behind the gateway: the official
// server-everything run as a child from the config, its tools merged into
// the catalog as <server>__<tool> (filtered, renamed), calls forwarded with
// progress relayed, a crashed child restarted, no process left behind
// after shutdown, and libcurl never loaded (no url server).  Clients are
// the official v1 SDK over HTTP and raw stdio.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { resultText, sleep, spawnGate, withTimeout } from './lib.mjs';
import { NODE, FIXTURES, curlMapped, pids, withGateway, waitForTool, everything as server } from './upstreams.mjs';

const opts = { timeout: 40_000 };
test('server-everything over stdio: merged, namespaced, called, progress relayed; no process left', opts, async () => {
  const mark = `mcpgate-test-${process.pid}-${Date.now()}`;
  await withGateway(`listen: 127.0.0.1:0\ndemo: true\nservers:${server('everything', mark)}${server('picked', mark, `    include_tools: [echo, get-sum]
    exclude_tools: [echo]
    overrides:
      get-sum:
        name: sum
        description: Adds two numbers (renamed by the gateway)
`)}`, async ({ client, gate }) => {
    await waitForTool(client, 'picked__sum');
    const tools = await waitForTool(client, 'everything__echo');
    const names = tools.map((t) => t.name);
    for (const n of ['demo__echo', 'everything__echo', 'everything__get-sum', 'everything__trigger-long-running-operation'])
      assert.ok(names.includes(n), `${n} missing from ${names}`);
    // include_tools wins over exclude_tools; overrides rename and redescribe.
    assert.deepEqual(names.filter((n) => n.startsWith('picked__')).sort(), ['picked__echo', 'picked__sum']);
    assert.equal(tools.find((t) => t.name === 'picked__sum').description, 'Adds two numbers (renamed by the gateway)');

    const echo = await client.callTool({ name: 'everything__echo', arguments: { message: 'hello upstream' } });
    assert.equal(resultText(echo), 'Echo: hello upstream');
    const sum = await client.callTool({ name: 'picked__sum', arguments: { a: 2, b: 40 } });
    assert.match(resultText(sum), /42/);
    // Arguments are checked against the upstream's schema before it sees them.
    const bad = await client.callTool({ name: 'everything__get-sum', arguments: { a: 'two', b: 1 } });
    assert.equal(bad.isError, true);
    assert.match(resultText(bad), /\/a: expected number/);

    const progress = [];
    const long = await client.callTool({ name: 'everything__trigger-long-running-operation', arguments: { duration: 1, steps: 4 } },
      undefined, { onprogress: (p) => progress.push(p.progress) });
    assert.match(resultText(long), /completed/i);
    assert.ok(progress.length >= 3, `progress relayed: ${progress}`);

    assert.equal(pids(mark).length, 2, 'two children expected while serving');
    assert.equal(curlMapped(gate.child.pid), false, 'libcurl loaded without a url server');
  });
  // After a clean stop, not one child is left.
  await sleep(200);
  assert.deepEqual(pids(mark), [], 'children outlived the gateway');
});

test('a crashed child is restarted and serves again; a missing command is reported by name', opts, async () => {
  const mark = `mcpgate-test-crash-${process.pid}-${Date.now()}`;
  await withGateway(`listen: 127.0.0.1:0\nservers:${server('everything', mark)}
  - name: ghost
    command: /nonexistent/mcp-server-ghost
`, async ({ client, gate }) => {
    await waitForTool(client, 'everything__echo');
    const [pid] = pids(mark);
    process.kill(pid, 'SIGKILL');
    // Calls while it is down fail clearly; once it is back they work again.
    const end = Date.now() + 15_000;
    let text;
    for (;;) {
      const r = await client.callTool({ name: 'everything__echo', arguments: { message: 'again' } }).catch((e) => ({ error: e }));
      if (!r.error && !r.isError) { text = resultText(r); break; }
      if (r.error) assert.match(String(r.error.message), /everything/, `an unclear error: ${r.error.message}`);
      if (Date.now() > end) throw new Error(`never came back: ${gate.stderr()}`);
      await sleep(200);
    }
    assert.equal(text, 'Echo: again');
    assert.notDeepEqual(pids(mark), [pid], 'the same process still?');
    assert.match(gate.stderr(), /upstream ghost.*\/nonexistent\/mcp-server-ghost/);
    // /readyz counts servers by state, naming none (it is unauthenticated).
    const ready = await (await fetch(`${gate.origin}/readyz`)).json();
    assert.deepEqual(ready.servers, { ready: 1, connecting: 0, failed: 1, disabled: 0,
      instances: { ready: 0, connecting: 0, failed: 0, disabled: 0 } });
    assert.ok(!(await client.listTools()).tools.some((t) => t.name.startsWith('ghost__')));
  });
  await sleep(200);
  assert.deepEqual(pids(mark), []);
});

const STUBBORN = path.join(FIXTURES, 'stubborn_server.mjs');
const starts = (file) => { try { return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean); } catch { return []; } };

test('liveness: an upstream that stops answering pings is restarted; a failing handshake is retried with backoff', opts, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-live-'));
  const noPing = path.join(dir, 'no-ping.log'), initErr = path.join(dir, 'init-error.log');
  try {
    await withGateway(`listen: 127.0.0.1:0
liveness_probe_interval: 0.5
servers:
  - name: mute
    command: ${NODE}
    args: [${STUBBORN}, no-ping, ${noPing}]
  - name: refuses
    command: ${NODE}
    args: [${STUBBORN}, init-error, ${initErr}]
`, async ({ client, gate }) => {
      await waitForTool(client, 'mute__pid');
      const first = resultText(await client.callTool({ name: 'mute__pid', arguments: {} }));
      // Each unanswered ping (0.5 s apart) gets it restarted: new pids.
      const end = Date.now() + 15_000;
      while (starts(noPing).length < 3 && Date.now() < end) await sleep(100);
      assert.ok(starts(noPing).length >= 3, `not restarted: ${starts(noPing)}\n${gate.stderr()}`);
      assert.match(gate.stderr(), /upstream mute: no answer to a liveness ping/);
      let now;
      for (;;) {
        const r = await client.callTool({ name: 'mute__pid', arguments: {} }).catch(() => null);
        if (r && !r.isError) { now = resultText(r); break; }
        if (Date.now() > end) throw new Error('mute never came back');
        await sleep(100);
      }
      assert.notEqual(now, first, 'the same process answered after a restart');
      // init-error: tried again, the waits doubling (1 s, 2 s, ...), not in a tight loop.
      assert.match(gate.stderr(), /upstream refuses .*initialize failed: not today/);
      const tries = starts(initErr).length;
      assert.ok(tries >= 2 && tries <= 5, `${tries} starts of a server that refuses to initialize`);
      assert.ok(!(await client.listTools()).tools.some((t) => t.name.startsWith('refuses__')));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a listen address in use: serve exits 1 at once, naming it, and leaves no upstream child behind', opts, async () => {
  const busy = net.createServer();
  await new Promise((r) => busy.listen(0, '127.0.0.1', r));
  const port = busy.address().port;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-busy-'));
  const mark = `busy-port-${port}`;
  const file = path.join(dir, 'gw.yaml');
  writeFileSync(file, `listen: 127.0.0.1:${port}\nservers:${server('everything', mark)}`);
  const gate = spawnGate(['serve', '--config', file]);
  try {
    // Upstreams start before the listener: they must not keep it running.
    const { code } = await withTimeout(gate.exited, 10_000, 'mcpgate serve to exit on a busy port');
    assert.equal(code, 1, gate.stderr());
    assert.match(gate.stderr(), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`));
    assert.deepEqual(pids(mark), [], 'an upstream child outlived the gateway');
  } finally {
    gate.child.kill('SIGKILL');
    busy.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
