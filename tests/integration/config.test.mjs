// config.test.mjs - the YAML config file as `mcpgate serve` and `mcpgate
// stdio` read it: where it is found (--config, MCPGATE_CONFIG,
// ./mcpgate.yaml), ${VAR} expansion, flags over the file, and a file with
// problems refused before anything starts, naming file, line and key.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DEMO_TOOLS, HTTP_TEST_TIMEOUT, REPO_ROOT, startHttpGate, spawnGate, httpClient, postRpc, modernHeaders, modernRequest,
  assertCleanStderr, withTimeout, withLineClient,
} from './lib.mjs';

const opts = { timeout: HTTP_TEST_TIMEOUT };

function withDir(fn) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-config-'));
  return Promise.resolve(fn(dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Start serve from config only (no --demo, no --listen); list the tools. */
async function serveAndList(args, { env, cwd } = {}) {
  const gate = await startHttpGate(args, { env, cwd, demo: false, listen: false });
  const http = await httpClient();
  try {
    const r = await postRpc(http.fetch, gate.url, modernRequest(1, 'tools/list'), modernHeaders('tools/list'));
    const origin = await postRpc(http.fetch, gate.url, modernRequest(2, 'tools/list'),
      modernHeaders('tools/list', undefined, { origin: 'https://app.example.com' }));
    await http.close();
    await gate.stopCleanly();
    return { tools: r.json.result.tools.map((t) => t.name).sort(), originStatus: origin.status, stderr: gate.stderr(), url: gate.url };
  } finally {
    await http.close();
    gate.kill();
  }
}

test('serve --config: listen, demo and allow_origins from the file, ${VAR} expanded', opts, async () => {
  await withDir(async (dir) => {
    const file = path.join(dir, 'gw.yaml');
    writeFileSync(file, [
      '# a team config',
      'listen: ${MCPGATE_TEST_HOST:-127.0.0.1}:0',
      'demo: ${MCPGATE_TEST_DEMO}',
      'allow_origins: [https://app.example.com]',
      'log_level: info',
      '',
    ].join('\n'));
    const r = await serveAndList(['--config', file], { env: { MCPGATE_TEST_DEMO: 'yes' } });
    assert.deepEqual(r.tools, DEMO_TOOLS);
    assert.equal(r.originStatus, 200, 'allow_origins was not applied');
    assert.match(r.stderr, new RegExp(`config: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(r.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  });
});

test('the file is found through MCPGATE_CONFIG, then ./mcpgate.yaml; flags override it', opts, async () => {
  await withDir(async (dir) => {
    writeFileSync(path.join(dir, 'mcpgate.yaml'), 'listen: 127.0.0.1:0\nconformance: true\n');
    const here = await serveAndList([], { cwd: dir });
    assert.ok(here.tools.includes('test_simple_text'), `./mcpgate.yaml not read: ${here.tools}`);
    assert.equal(here.originStatus, 403);

    const other = path.join(dir, 'other.yaml');
    writeFileSync(other, 'listen: 127.0.0.1:0\ndemo: true\n');
    const env = await serveAndList([], { cwd: dir, env: { MCPGATE_CONFIG: other } });
    assert.deepEqual(env.tools, DEMO_TOOLS, 'MCPGATE_CONFIG comes before ./mcpgate.yaml');

    // Flags win: --conformance adds to the file's demo, --allow-origin to its list.
    const both = await serveAndList(['--conformance', '--allow-origin', 'https://app.example.com'], { cwd: dir, env: { MCPGATE_CONFIG: other } });
    assert.ok(both.tools.includes('demo__echo') && both.tools.includes('test_simple_text'));
    assert.equal(both.originStatus, 200);
  });
});

test('a config with problems: exit 1 before listening, every problem with file, line and key', opts, async () => {
  await withDir(async (dir) => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, [
      'listen: 127.0.0.1:0',
      'demo: maybe',
      'servers:',
      '  - name: files',
      '    comand: npx',
      '  - name: files',
      '    url: https://example.com/mcp',
      'session_idle_timeout: ${MCPGATE_TEST_UNSET_VAR}',
      '',
    ].join('\n'));
    const g = spawnGate(['serve', '--config', file]);
    const { code } = await withTimeout(g.exited, 8000, 'mcpgate to refuse the config');
    const err = g.stderr();
    assert.equal(code, 1, err);
    assert.doesNotMatch(err, /serving MCP/);
    assert.match(err, /nothing was started/);
    assert.match(err, /bad\.yaml:2: demo: /);
    assert.match(err, /bad\.yaml:5: servers\[0\]\.comand: unknown key \(did you mean "command"\?\)/);
    assert.match(err, /bad\.yaml:6: servers\[1\]\.name: .*files.*line 4/);
    assert.match(err, /bad\.yaml:8: session_idle_timeout: .*MCPGATE_TEST_UNSET_VAR/);
    assertCleanStderr(err);

    // Valid as a file, but the name is taken by mcpgate's own tools.
    const reserved = path.join(dir, 'reserved.yaml');
    writeFileSync(reserved, 'listen: 127.0.0.1:0\nservers:\n  - command: /bin/true\n    name: gateway\n');
    const r = spawnGate(['serve', '--config', reserved]);
    assert.equal((await withTimeout(r.exited, 8000, 'mcpgate to refuse the name')).code, 1, r.stderr());
    assert.doesNotMatch(r.stderr(), /serving MCP/);
    assert.match(r.stderr(), /servers\[0\] \(line 3\): "gateway" is the namespace of mcpgate's own gateway tools; name the server something else/);

    const missing = spawnGate(['stdio', '--config', path.join(dir, 'nope.yaml')]);
    const m = await withTimeout(missing.exited, 8000, 'mcpgate stdio to refuse a missing config');
    assert.equal(m.code, 1);
    assert.match(missing.stderr(), /cannot read .*nope\.yaml/);

    const usage = spawnGate(['serve', '--config']);
    assert.equal((await usage.exited).code, 2);
    assert.match(usage.stderr(), /--config needs a file name/);
  });
});

test('a server that cannot be reached is reported by name and URL; disabled ones are not started', opts, async () => {
  await withDir(async (dir) => {
    const file = path.join(dir, 'servers.yaml');
    writeFileSync(file, 'listen: 127.0.0.1:0\ndemo: true\nservers:\n  - name: remote\n    url: http://127.0.0.1:1/mcp\n'
      + '  - name: off\n    command: /nonexistent/off-server\n    enabled: false\n');
    const r = await serveAndList(['--config', file]);
    assert.match(r.stderr, /upstream remote \(http:\/\/127\.0\.0\.1:1\/mcp\): initialize failed: .*(refused|connect)/i);
    assert.doesNotMatch(r.stderr, /off-server/);
    assert.deepEqual(r.tools, DEMO_TOOLS);
  });
});

test('stdio reads the same file; the shipped example config is valid', opts, async () => {
  await withLineClient(['stdio', '--config', path.join(REPO_ROOT, 'examples/mcpgate.yaml')], async (c) => {
    await c.initialize();
    const r = await c.request('tools/list', {});
    assert.deepEqual(r.result.tools.map((t) => t.name).sort(), DEMO_TOOLS);
  });
});
