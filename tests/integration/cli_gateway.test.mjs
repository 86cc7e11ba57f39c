// cli_gateway.test.mjs - the command line against a running gateway
// (`--gateway URL`, or MCPGATE_URL with MCPGATE_API_KEY) instead of the
// config's servers: `servers` prints the gateway's own status, `tools`,
// `search`, `describe` and `call` reach its servers through
// /servers/<name>/mcp with the key, so they see exactly what the key may
// see.  The gateway is the real binary with keys required, serving
// server-everything and server-filesystem over stdio.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHttpGate } from './lib.mjs';
import { NODE, EVERYTHING } from './upstreams.mjs';
import { runCli } from './cli.mjs';

const FILESYSTEM = path.resolve(EVERYTHING, '../../../server-filesystem/dist/index.js');
const opts = { timeout: 60_000 };

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mcpgate-cli-gateway-'));
const state = path.join(tmp, 'state');
const files = path.join(tmp, 'files');
const config = path.join(tmp, 'gw.yaml');
mkdirSync(files);
writeFileSync(path.join(files, 'a.txt'), 'alpha\n');
writeFileSync(config, `
servers:
  - name: everything
    command: ${NODE}
    args: [${EVERYTHING}, stdio]
  - name: files
    command: ${NODE}
    args: [${FILESYSTEM}, ${files}]
  - name: broken
    command: /nonexistent/mcp-server
projects:
  - name: web
    servers: [everything, files, broken]
  - name: ops
    servers: [files]
`);

let gate, writeKey, readKey, opsKey;

async function createKey(name, project, scope) {
  const r = await runCli(['keys', 'create', '--config', config, '--state-dir', state, '--name', name,
    '--project', project, '--scope', scope, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).secret;
}

before(async () => {
  writeKey = await createKey('writer', 'web', 'write');
  readKey = await createKey('reader', 'web', 'read');
  opsKey = await createKey('operator', 'ops', 'write');
  gate = await startHttpGate(['--config', config, '--state-dir', state, '--auth', 'required'], { demo: false });
  // Every server settled (broken: failed) before the tests look.
  for (let i = 0; i < 100; i++) {
    const r = await runCli(['servers', '--gateway', gate.origin, '--json'], { env: { MCPGATE_API_KEY: writeKey } });
    if (r.code === 0 && JSON.parse(r.stdout).every((s) => s.state !== 'connecting')) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('the gateway\'s servers did not settle');
});

after(async () => {
  await gate?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** `mcpgate ARGS` asking the gateway through MCPGATE_URL with KEY. */
const remote = (args, key = writeKey, env = {}) =>
  runCli(args, { env: { MCPGATE_URL: gate.url, MCPGATE_API_KEY: key, ...env } });

test('servers --gateway prints the gateway\'s own status of the key\'s servers', opts, async () => {
  const r = await runCli(['servers', '--gateway', gate.origin, '--json'], { env: { MCPGATE_API_KEY: writeKey } });
  assert.equal(r.code, 0, r.stderr);
  const rows = Object.fromEntries(JSON.parse(r.stdout).map((s) => [s.name, s]));
  assert.deepEqual(Object.keys(rows).sort(), ['broken', 'everything', 'files']);
  // The gateway's view: stdio children, with the tool count and error it has.
  assert.equal(rows.everything.kind, 'stdio');
  assert.equal(rows.everything.state, 'ready');
  assert.ok(rows.everything.tools >= 10);
  assert.equal(rows.broken.state, 'failed');
  assert.match(rows.broken.last_error, /nonexistent/);
  assert.equal(rows.broken.where, undefined, 'no command line leaves the gateway');

  // A key of another project sees that project's servers only.
  const ops = await runCli(['servers', '--gateway', `${gate.origin}/mcp`], { env: { MCPGATE_API_KEY: opsKey } });
  assert.equal(ops.code, 0, ops.stderr);
  assert.match(ops.stdout, /^files\s+stdio\s+ready/m);
  assert.doesNotMatch(ops.stdout, /everything|broken/);
});

test('MCPGATE_URL and MCPGATE_API_KEY: tools, describe, call and search on the gateway\'s servers', opts, async () => {
  const tools = await remote(['tools', 'everything']);
  assert.equal(tools.code, 0, tools.stderr);
  assert.match(tools.stdout, /^everything\s+get-sum\s+Returns the sum of two numbers$/m);

  const describe = await remote(['describe', 'files', 'read_text_file']);
  assert.equal(describe.code, 0, describe.stderr);
  assert.match(describe.stdout, /--path\s+string\s+yes/);

  const sum = await remote(['call', 'everything', 'get-sum', '--a', '2', '--b', '40']);
  assert.equal(sum.code, 0, sum.stderr);
  assert.match(sum.stdout, /42/);

  const read = await remote(['run', 'files', 'read_text_file', '--path', path.join(files, 'a.txt')]);
  assert.equal(read.code, 0, read.stderr);
  assert.equal(read.stdout.trim(), 'alpha');

  // The tool's own error: exit 1, its text on stderr.
  const missing = await remote(['call', 'files', 'read_text_file', '--path', path.join(files, 'nope.txt')]);
  assert.equal(missing.code, 1, missing.stderr);
  assert.match(missing.stderr, /files read_text_file reported an error/);

  const search = await remote(['search', 'sum', 'two', 'numbers']);
  assert.equal(search.code, 0, search.stderr);
  assert.match(search.stdout.split('\n')[1], /^everything\s+get-sum\s/);

  // The calls went through the gateway, recorded under the key.
  const calls = await runCli(['calls', '--state-dir', state, '--json', '--tool', 'get-sum']);
  assert.equal(calls.code, 0, calls.stderr);
  const rows = JSON.parse(calls.stdout);
  assert.ok(rows.some((row) => row.server === 'everything' && row.project === 'web' && row.outcome === 'ok'),
    calls.stdout);
});

test('a read key is refused a write tool by the gateway, and told why', opts, async () => {
  const ok = await remote(['call', 'everything', 'echo', '--message', 'hi'], readKey);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), 'Echo: hi');

  const refused = await remote(['call', 'everything', 'toggle-simulated-logging'], readKey);
  assert.equal(refused.code, 3);
  assert.match(refused.stderr, /needs an API key with scope 'write'/);
  assert.match(refused.stderr, /ask for a key with scope 'write'/);
});

test('unknown, failed and unreachable: exit 2 or 3 with what to do next', opts, async () => {
  const typo = await remote(['call', 'everythin', 'echo', '--message', 'x']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /has no server named 'everythin'; did you mean 'everything'\?/);

  // A server outside the key's project is unknown to it, not "failed".
  const other = await remote(['tools', 'everything'], opsKey);
  assert.equal(other.code, 2, other.stderr);
  assert.match(other.stderr, /has no server named 'everything'/);

  const failed = await remote(['call', 'broken', 'anything']);
  assert.equal(failed.code, 3);
  assert.match(failed.stderr, /the gateway's server broken is failed: .*nonexistent/);

  const tool = await remote(['call', 'everything', 'get-summ']);
  assert.equal(tool.code, 2);
  assert.match(tool.stderr, /did you mean 'get-sum'\?/);

  const nokey = await runCli(['tools', 'everything', '--gateway', gate.url]);
  assert.equal(nokey.code, 3);
  assert.match(nokey.stderr, /401/);
  assert.match(nokey.stderr, /Set MCPGATE_API_KEY/);

  const badkey = await remote(['servers'], 'sk-mcpgate-not-a-key');
  assert.equal(badkey.code, 3);
  assert.match(badkey.stderr, /unknown or revoked/);

  const down = await runCli(['servers', '--gateway', 'http://127.0.0.1:1']);
  assert.equal(down.code, 3);
  assert.match(down.stderr, /cannot use the gateway at http:\/\/127\.0\.0\.1:1/);

  const bad = await runCli(['tools', '--gateway', 'ftp://example']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--gateway needs the URL of a running mcpgate/);
});

test('--config wins over MCPGATE_URL: the config\'s own servers, started in-process', opts, async () => {
  const r = await runCli(['servers', '--config', config, '--json'],
    { env: { MCPGATE_URL: 'http://127.0.0.1:1', MCPGATE_API_KEY: writeKey } });
  assert.equal(r.code, 0, r.stderr);
  const everything = JSON.parse(r.stdout).find((s) => s.name === 'everything');
  assert.equal(everything.state, 'ready');
  assert.ok(everything.where, 'standalone mode knows the command it ran');
});
