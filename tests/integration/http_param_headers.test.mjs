// http_param_headers.test.mjs - x-mcp-header (2026-07-28, SEP-2243): a
// modern tools/call must mirror each annotated argument into its
// Mcp-Param-{Name} header, plain or as =?base64?...?=; a missing, extra,
// undecodable or different header is 400 with -32020.  The official v2
// client mirrors them by itself.  Legacy sessions carry no such headers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import {
  HTTP_TEST_TIMEOUT, withHttpGate, postRpc, modernHeaders, modernRequest, openLegacySession, resultText,
} from './lib.mjs';

const opts = { timeout: HTTP_TEST_TIMEOUT };
const TOOL = 'test_header_params';
const b64 = (s) => `=?base64?${Buffer.from(s, 'utf8').toString('base64')}?=`;

function callWith(fetch, url, args, params) {
  return postRpc(fetch, url, modernRequest(1, 'tools/call', { name: TOOL, arguments: args }),
    modernHeaders('tools/call', TOOL, Object.fromEntries(Object.entries(params).map(([k, v]) => [`mcp-param-${k}`, v]))));
}

function assertMismatch(r, what, pattern) {
  assert.equal(r.status, 400, `${what}: HTTP ${r.status} ${r.text}`);
  assert.equal(r.json?.error?.code, -32020, `${what}: ${r.text}`);
  assert.equal(r.json.id, 1);
  assert.match(r.json.error.message, pattern, what);
}

test('tools/list shows the declarations; matching headers are accepted, plain or base64', opts, async () => {
  await withHttpGate(['--conformance'], async ({ fetch, url }) => {
    const list = await postRpc(fetch, url, modernRequest(0, 'tools/list'), modernHeaders('tools/list'));
    const tool = list.json.result.tools.find((t) => t.name === TOOL);
    assert.equal(tool.inputSchema.properties.region['x-mcp-header'], 'Region');

    const ok = [
      [{ region: 'eu-west' }, { region: 'eu-west' }],
      [{ region: 'eu-west', priority: 3, dry_run: false }, { region: 'eu-west', priority: '3', 'dry-run': 'false' }],
      [{ region: 'Zürich ' }, { region: b64('Zürich ') }],
      [{ region: 'eu' }, { REGION: '  eu\t' }],
      [{ region: 'x', priority: -7 }, { region: b64('x'), priority: b64('-7') }],
      // Without the sentinel's both ends, a value is literal text.
      [{ region: 'SGVsbG8=' }, { region: 'SGVsbG8=' }],
      [{ region: '=?base64?SGVsbG8=' }, { region: '=?base64?SGVsbG8=' }],
    ];
    for (const [args, headers] of ok) {
      const r = await callWith(fetch, url, args, headers);
      assert.equal(r.status, 200, `${JSON.stringify(headers)}: HTTP ${r.status} ${r.text}`);
      assert.equal(resultText(r.json.result), JSON.stringify(Object.fromEntries(Object.entries(args).sort())));
    }
    // A null argument counts as absent: no header is due, and the
    // arguments are then judged by the schema (which wants an integer).
    const n = await callWith(fetch, url, { region: 'a', priority: null }, { region: 'a' });
    assert.equal(n.status, 200, n.text);
    assert.match(resultText(n.json.result), /\/priority: expected integer, got null/);
  });
});

test('a missing, extra, undecodable or different Mcp-Param header is 400 -32020 naming it', opts, async () => {
  await withHttpGate(['--conformance'], async ({ fetch, url }) => {
    assertMismatch(await callWith(fetch, url, { region: 'eu' }, {}), 'missing', /Mcp-Param-Region is required.*arguments\.region/);
    assertMismatch(await callWith(fetch, url, { region: 'eu' }, { region: 'us' }), 'different', /Mcp-Param-Region does not equal/);
    assertMismatch(await callWith(fetch, url, { region: 'eu' }, { region: 'EU' }), 'case', /does not equal/);
    assertMismatch(await callWith(fetch, url, { region: 'Hello' }, { region: '=?base64?SGVsbG8?=' }), 'padding', /not valid base64/);
    assertMismatch(await callWith(fetch, url, { region: 'Hello' }, { region: '=?base64?SGVs!!!bG8=?=' }), 'chars', /not valid base64/);
    assertMismatch(await callWith(fetch, url, { region: 'eu' }, { region: 'eu', priority: '1' }), 'extra', /Mcp-Param-Priority is sent but the argument it mirrors is absent/);
    assertMismatch(await callWith(fetch, url, { region: 'eu', priority: 1 }, { region: 'eu', priority: '01' }), 'integer', /Mcp-Param-Priority does not equal/);
    assertMismatch(await callWith(fetch, url, { region: 'eu', dry_run: true }, { region: 'eu', 'dry-run': 'TRUE' }), 'boolean', /Mcp-Param-Dry-Run/);
    // Headers for tools without declarations are not looked at.
    const plain = await postRpc(fetch, url, modernRequest(2, 'tools/call', { name: 'test_simple_text', arguments: {} }),
      modernHeaders('tools/call', 'test_simple_text', { 'mcp-param-region': 'anything' }));
    assert.equal(plain.status, 200, plain.text);
  });
});

test('legacy sessions need no Mcp-Param headers', opts, async () => {
  await withHttpGate(['--conformance'], async ({ fetch, url }) => {
    const s = await openLegacySession(fetch, url, '2025-11-25');
    const r = await postRpc(fetch, url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: TOOL, arguments: { region: 'eu' } } }, s.headers());
    assert.equal(r.status, 200, r.text);
    assert.equal(resultText(r.json.result), '{"region":"eu"}');
  });
});

test('the v2 client mirrors x-mcp-header arguments itself', opts, async () => {
  await withHttpGate(['--conformance'], async ({ fetch, url }) => {
    const sent = [];
    const tap = (input, init = {}) => { sent.push(new Headers(init.headers)); return fetch(input, init); };
    const client = new Client({ name: 'param-headers', version: '0.0.0' }, { versionNegotiation: { mode: 'auto' } });
    const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: tap });
    await client.connect(transport);
    try {
      await client.listTools();
      const r = await client.callTool({ name: TOOL, arguments: { region: 'ap-south', priority: 2 } });
      assert.equal(resultText(r), '{"priority":2,"region":"ap-south"}');
      const last = sent.at(-1);
      assert.equal(last.get('mcp-param-region'), 'ap-south');
      assert.equal(last.get('mcp-param-priority'), '2');
    } finally {
      await client.close();
    }
  });
});
