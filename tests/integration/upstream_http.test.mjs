// upstream_http.test.mjs - servers reached by URL: the official
// server-everything over Streamable HTTP (transport auto) and over the
// 2024-11-05 HTTP+SSE transport (auto falls back to it, and `sse` asks for
// it), merged and called through the gateway with progress, sampling and
// resources (libcurl loaded for them); an HTTP upstream answering 500
// gives a clear error naming the server while the gateway stays up; a
// session the upstream expired is opened again by itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { childEnv, resultText, killChild } from './lib.mjs';
import { NODE, EVERYTHING, FIXTURES, curlMapped, withGateway, waitForTool } from './upstreams.mjs';

const opts = { timeout: 60_000 };

/** Start node ARGS with ENV; resolve { child, match } once stdout matches RE. */
function startPeer(args, re, env = {}) {
  const child = spawn(NODE, args, { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start`)), 15_000);
    const seek = (line) => {
      const m = line.match(re);
      if (m) { clearTimeout(timer); resolve({ child, match: m }); }
    };
    readline.createInterface({ input: child.stdout }).on('line', seek);
    readline.createInterface({ input: child.stderr }).on('line', seek);
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function withEverythingHttp(fn) {
  const http = await freePort(), sse = await freePort();
  const a = await startPeer([EVERYTHING, 'streamableHttp'], /listening on port/i, { PORT: String(http) });
  const b = await startPeer([EVERYTHING, 'sse'], /running on port/i, { PORT: String(sse) });
  try {
    await fn({ http: `http://127.0.0.1:${http}/mcp`, sse: `http://127.0.0.1:${sse}/sse` });
  } finally {
    await killChild(a.child);
    await killChild(b.child);
  }
}

test('server-everything over Streamable HTTP and HTTP+SSE, through the gateway', opts, async () => {
  await withEverythingHttp(async ({ http, sse }) => {
    await withGateway(`listen: 127.0.0.1:0
servers:
  - name: streamable
    url: ${http}
  - name: legacy
    url: ${sse}
    transport: sse
  - name: fallback
    url: ${sse}
`, async ({ client, gate }) => {
      // Sampling tools appear once the server has seen the gateway's
      // capabilities (a tools/list_changed after the handshake).
      for (const n of ['streamable__echo', 'legacy__echo', 'fallback__echo', 'streamable__trigger-sampling-request'])
        await waitForTool(client, n);
      for (const server of ['streamable', 'legacy', 'fallback']) {
        const r = await client.callTool({ name: `${server}__echo`, arguments: { message: `via ${server}` } });
        assert.equal(resultText(r), `Echo: via ${server}`);
      }
      assert.ok(curlMapped(gate.child.pid), 'libcurl not loaded for url servers');
      const progress = [];
      const long = await client.callTool({ name: 'streamable__trigger-long-running-operation',
        arguments: { duration: 1, steps: 4 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
      assert.match(resultText(long), /completed/i);
      assert.ok(progress.length >= 3, `progress relayed: ${progress}`);
      const sampled = await client.callTool({ name: 'streamable__trigger-sampling-request',
        arguments: { prompt: 'over http', maxTokens: 5 } });
      assert.match(resultText(sampled), /sampled: .*over http/);
      const { resources } = await client.listResources();
      const doc = await client.readResource({ uri: resources[0].uri });
      assert.ok(doc.contents[0].text.length > 0);
      // Walked again (its list_changed, the look a second after ready),
      // a server is still said ready once, with its first latency.
      for (const server of ['streamable', 'legacy', 'fallback']) {
        const lines = gate.stderr().match(new RegExp(`upstream ${server} ready: `, 'g')) ?? [];
        assert.equal(lines.length, 1, `'upstream ${server} ready' logged ${lines.length} times:\n${gate.stderr()}`);
      }
    }, {
      capabilities: { sampling: {} },
      setup: (c) => c.setRequestHandler(CreateMessageRequestSchema, async (r) => ({ model: 't', role: 'assistant',
        content: { type: 'text', text: `sampled: ${r.params.messages[0].content.text}` } })),
    });
  });
});

test('an HTTP upstream answering 500 gives an error naming it; an expired upstream session is opened again', opts, async () => {
  const faults = await startPeer([path.join(FIXTURES, 'http_faults.mjs')], /PORT (\d+)/);
  const base = `http://127.0.0.1:${faults.match[1]}`;
  try {
    await withGateway(`listen: 127.0.0.1:0
servers:
  - name: broken
    url: ${base}/500
    transport: streamable-http
  - name: expiring
    url: ${base}/expire
`, async ({ client, gate }) => {
      await waitForTool(client, 'expiring__forget');
      assert.match(gate.stderr(), /upstream broken \(http:\/\/127\.0\.0\.1:\d+\/500\): initialize failed: .*HTTP 500/);
      assert.ok(!(await client.listTools()).tools.some((t) => t.name.startsWith('broken__')));
      assert.equal((await fetch(`${gate.origin}/healthz`)).status, 200);

      // The upstream forgets its session: the next call fails, the
      // gateway opens a new one, and calls work again.
      await client.callTool({ name: 'expiring__forget', arguments: {} }).catch(() => {});
      const end = Date.now() + 15_000;
      let after;
      for (;;) {
        const r = await client.callTool({ name: 'expiring__echo', arguments: {} }).catch((e) => ({ error: e }));
        if (!r.error && !r.isError) { after = resultText(r); break; }
        if (Date.now() > end) throw new Error(`never recovered: ${gate.stderr()}`);
        await new Promise((res) => setTimeout(res, 200));
      }
      assert.match(after, /^s\d+$/);

      // A server failing every call: each caller gets the error, the log
      // gets at most ten a second and the count of the rest.
      const failed = await Promise.all(Array.from({ length: 60 }, () =>
        client.callTool({ name: 'expiring__fail', arguments: {} }).then((r) => resultText(r), (e) => e.message)));
      for (const f of failed) assert.match(f, /upstream expiring: .*HTTP 500/);
      await new Promise((res) => setTimeout(res, 1100));
      await client.callTool({ name: 'expiring__fail', arguments: {} }).catch(() => {});
      const logged = gate.stderr().match(/upstream expiring: .*HTTP 500/g) || [];
      assert.ok(logged.length <= 10 * 3 + 1, `${logged.length} failures logged for 61`);
      assert.match(gate.stderr(), /upstream expiring: more than 10 requests failed within a second/);
      assert.match(gate.stderr(), /upstream expiring: \d+ more failed requests were not logged/);
      const stats = await (await fetch(`${base}/stats`)).json();
      assert.ok(stats.sessions >= 2, `the expired session was not opened again: ${JSON.stringify(stats)}`);
      assert.notEqual(after, 's1', 'still the expired session');
      assert.match(gate.stderr(), /upstream expiring .*session/i);
    });
  } finally {
    await killChild(faults.child);
  }
});

test('an HTTP upstream that stops listening: calls fail at once naming it, no connection per call, back when it is', opts, async () => {
  const port = await freePort();
  let peer = await startPeer([EVERYTHING, 'streamableHttp'], /listening on port/i, { PORT: String(port) });
  try {
    await withGateway(`listen: 127.0.0.1:0
servers:
  - name: web
    url: http://127.0.0.1:${port}/mcp
`, async ({ client, gate }) => {
      await waitForTool(client, 'web__echo');
      assert.equal(resultText(await client.callTool({ name: 'web__echo', arguments: { message: 'up' } })), 'Echo: up');
      await killChild(peer.child);

      const call = () => client.callTool({ name: 'web__echo', arguments: { message: 'x' } })
        .then((r) => (r.isError ? resultText(r) : `answered: ${resultText(r)}`), (e) => e.message);
      // A connection kept from before may be found reset first; the first
      // call that finds nothing listening takes the link down.
      const early = [];
      for (let i = 0; i < 3 && !/not connected/.test(early.at(-1) ?? ''); i++) early.push(await call());
      for (const e of early) assert.match(e, /web.*(Connection reset|Couldn't connect|not connected)/, e);
      assert.match(early.at(-1), /not connected/, early.join('\n'));
      // The link is down now: calls are refused without trying to connect.
      const refusedBefore = (gate.stderr().match(/Couldn't connect/g) || []).length;
      const started = Date.now();
      // (connecting: the handshake that finds it still refusing is in flight)
      for (let i = 0; i < 20; i++) assert.match(await call(), /Upstream web is not connected \((connecting|failed: .*Couldn't connect)/);
      assert.ok(Date.now() - started < 5000, 'refused calls were slow');
      const refusedAfter = (gate.stderr().match(/Couldn't connect/g) || []).length;
      assert.ok(refusedAfter - refusedBefore <= 2, `${refusedAfter - refusedBefore} connection failures logged for 20 calls`);

      // Back on the same port: the upstream's retries find it.
      peer = await startPeer([EVERYTHING, 'streamableHttp'], /listening on port/i, { PORT: String(port) });
      const end = Date.now() + 20_000;
      let last;
      while ((last = await call()) !== 'answered: Echo: x' && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
      assert.equal(last, 'answered: Echo: x', gate.stderr());
    });
  } finally {
    await killChild(peer.child);
  }
});
