// http_sdk.test.mjs - `mcpgate serve` against the official TypeScript
// clients over HTTP: the v1 SDK with Streamable HTTP (legacy sessions) and
// with the 2024-11-05 HTTP+SSE transport, and the v2 client, which speaks
// 2026-07-28 (stateless POSTs with routing headers) when it negotiates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport as SseV1 } from '@modelcontextprotocol/sdk/client/sse.js';
import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from '@modelcontextprotocol/client';
import {
  HTTP_TEST_TIMEOUT, DEMO_TOOLS, MODERN_VERSION, startHttpGate, httpClient, assertCleanStderr, resultText,
  withTimeout,
} from './lib.mjs';

const opts = { timeout: HTTP_TEST_TIMEOUT };

/** Run fn(client, extras) with a connected client, then close and check a clean SIGTERM exit. */
async function withClient(makeTransport, makeClient, fn) {
  const gate = await startHttpGate();
  const http = await httpClient();
  const seen = [];
  const fetchTap = async (input, init = {}) => {
    seen.push({ method: init.method ?? 'GET', headers: new Headers(init.headers) });
    return http.fetch(input, init);
  };
  const client = makeClient();
  try {
    await withTimeout(client.connect(makeTransport(new URL(gate.url), fetchTap)), 8000, 'connect');
    await fn(client, { seen, gate });
    await withTimeout(client.close(), 5000, 'client.close()');
    await http.close();
    const { code, signal } = await gate.stop();
    assert.equal(signal, null);
    assert.equal(code, 0, gate.stderr());
    assertCleanStderr(gate.stderr());
  } finally {
    await http.close();
    gate.kill();
  }
}

async function exerciseTools(client, { structured = true } = {}) {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), DEMO_TOOLS);
  const echo = await client.callTool({ name: 'demo__echo', arguments: { text: 'over http' } });
  assert.equal(resultText(echo), 'over http');
  const add = await client.callTool({ name: 'demo__add', arguments: { a: 2, b: 40 } });
  if (structured) assert.deepEqual(add.structuredContent, { sum: 42 });
  const bad = await client.callTool({ name: 'demo__echo', arguments: { text: 7 } });
  assert.equal(bad.isError, true);
  assert.match(resultText(bad), /Invalid arguments for tool demo__echo: \/text: expected string, got number/);
}

const v1 = () => new ClientV1({ name: 'mcpgate-it-v1', version: '0.0.0' });

test('v1 SDK, Streamable HTTP: session, tools, validation error, progress, DELETE', opts, async () => {
  let transport;
  await withClient((url, fetch) => (transport = new HttpV1(url, { fetch })), v1, async (client) => {
    assert.equal(client.getServerVersion().name, 'mcpgate');
    assert.match(transport.sessionId, /^[0-9a-f]{64}$/);
    await exerciseTools(client);
    const progress = [];
    const r = await client.callTool({ name: 'demo__wait', arguments: { ms: 300 } }, undefined,
      { onprogress: (p) => progress.push(p.progress) });
    assert.match(resultText(r), /waited 300 ms/);
    assert.ok(progress.length >= 2, `progress: ${progress}`);
    assert.deepEqual([...progress].sort((a, b) => a - b), progress, 'progress must increase');
    await transport.terminateSession();
    assert.equal(transport.sessionId, undefined);
  });
});

test('v1 SDK, Streamable HTTP: a cancelled call ends with an abort, the session goes on', opts, async () => {
  await withClient((url, fetch) => new HttpV1(url, { fetch }), v1, async (client) => {
    const ac = new AbortController();
    const pending = client.callTool({ name: 'demo__wait', arguments: { ms: 5000 } }, undefined, { signal: ac.signal });
    setTimeout(() => ac.abort('enough'), 200);
    await assert.rejects(pending);
    const echo = await client.callTool({ name: 'demo__echo', arguments: { text: 'still here' } });
    assert.equal(resultText(echo), 'still here');
  });
});

test('v1 SDK, HTTP+SSE (2024-11-05 transport): tools over /sse and /messages', opts, async () => {
  await withClient((url, fetch) => new SseV1(new URL('/sse', url), { fetch, eventSourceInit: { fetch } }), v1,
    async (client) => {
      assert.equal(client.getServerVersion().name, 'mcpgate');
      await exerciseTools(client);
    });
});

test('v2 client over HTTP: modern 2026-07-28 requests with routing headers', opts, async () => {
  await withClient((url, fetch) => new HttpV2(url, { fetch }),
    () => new ClientV2({ name: 'mcpgate-it-v2', version: '0.0.0' }, { versionNegotiation: { mode: 'auto' } }),
    async (client, { seen }) => {
      assert.equal(client.getProtocolEra(), 'modern');
      assert.equal(client.getNegotiatedProtocolVersion(), MODERN_VERSION);
      await exerciseTools(client);
      const posts = seen.filter((r) => r.method === 'POST');
      assert.ok(posts.length >= 4);
      for (const r of posts) {
        assert.equal(r.headers.get('mcp-protocol-version'), MODERN_VERSION);
        assert.ok(r.headers.get('mcp-method'), 'Mcp-Method header missing');
        assert.equal(r.headers.get('mcp-session-id'), null, 'a modern request carried a session id');
      }
      const calls = posts.filter((r) => r.headers.get('mcp-method') === 'tools/call');
      assert.ok(calls.length >= 3);
      for (const r of calls) assert.match(r.headers.get('mcp-name'), /^demo__/);
    });
});

test('v2 client over HTTP, legacy mode: an initialize session', opts, async () => {
  await withClient((url, fetch) => new HttpV2(url, { fetch }),
    () => new ClientV2({ name: 'mcpgate-it-v2', version: '0.0.0' }),
    async (client) => {
      assert.equal(client.getProtocolEra(), 'legacy');
      await exerciseTools(client);
    });
});
