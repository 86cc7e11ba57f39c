// cli_inspect.test.mjs - `mcpgate servers` and `mcpgate tools` in
// standalone mode: they read the config, connect to its servers
// in-process (server-everything over stdio, a 2026-07-28 server on the
// SDK v2, a command that does not exist, a disabled server), and report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli as run, withConfigFile, THREE_SERVERS } from './cli.mjs';
import { NODE, EVERYTHING } from './upstreams.mjs';

const opts = { timeout: 30_000 };

const withConfig = (fn) => withConfigFile(`${THREE_SERVERS}  - name: off
    url: http://127.0.0.1:1/mcp
    enabled: false
`, fn);

test('servers: one line per server with kind, state, tools, protocol and the error of a failed one', opts, async () => {
  await withConfig(async (file) => {
    const r = await run(['servers', '--config', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colour when piped');
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^NAME\s+KIND\s+STATE\s+TOOLS\s+LATENCY\s+PROTOCOL\s+LAST ERROR$/);
    const row = (name) => lines.find((l) => l.startsWith(`${name} `)) ?? assert.fail(`no row for ${name}:\n${r.stdout}`);
    assert.match(row('everything'), /^everything\s+stdio\s+ready\s+\d+\s+\d+ ms\s+2025-11-25\s*$/);
    assert.match(row('modern'), /^modern\s+stdio\s+ready\s+3\s+\d+ ms\s+2026-07-28\s*$/);
    assert.match(row('broken'), /^broken\s+stdio\s+failed\s+0\s+-\s+-\s+cannot run '\/nonexistent\/mcp-server'/);
    assert.match(row('off'), /^off\s+http\s+disabled\s+0\s+-\s+-\s+disabled in the config$/);

    const j = await run(['servers', '--config', file, '--json']);
    assert.equal(j.code, 0, j.stderr);
    const status = JSON.parse(j.stdout);
    assert.deepEqual(status.map((s) => [s.name, s.state]),
      [['everything', 'ready'], ['modern', 'ready'], ['broken', 'failed'], ['off', 'disabled']]);
    const everything = status[0];
    assert.ok(everything.tools > 5 && Number.isInteger(everything.latency_ms), JSON.stringify(everything));
    assert.ok(everything.where.includes(NODE), `where names the command: ${everything.where}`);
    assert.match(status[2].last_error, /cannot run '\/nonexistent\/mcp-server'/);
  });
});

test('tools: one line per tool; SERVER narrows; --json gives definitions; bad names say what to do', opts, async () => {
  await withConfig(async (file) => {
    const all = await run(['tools', '--config', file]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^SERVER\s+TOOL\s+DESCRIPTION$/m);
    assert.match(all.stdout, /^everything\s+echo\s+Echoes back the input string$/m);
    assert.match(all.stdout, /^modern\s+confirm\s+asks the user to confirm an action$/m);

    const one = await run(['tools', 'modern', '--config', file]);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(one.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[1]), ['confirm', 'grow', 'seen']);

    const json = await run(['tools', 'modern', '--json', '--config', file]);
    const defs = JSON.parse(json.stdout);
    assert.deepEqual(defs.map((d) => [d.server, d.name, d.gatewayName]),
      [['modern', 'confirm', 'modern__confirm'], ['modern', 'grow', 'modern__grow'], ['modern', 'seen', 'modern__seen']]);
    assert.equal(defs[0].inputSchema.properties.action.type, 'string');

    const unknown = await run(['tools', 'nope', '--config', file]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no server named 'nope' in the config\nRun 'mcpgate servers' to list them/);

    const failed = await run(['tools', 'broken', '--config', file]);
    assert.equal(failed.code, 3);
    assert.match(failed.stderr, /server broken is failed: cannot run '\/nonexistent\/mcp-server'/);

    const usage = await run(['tools', 'a', 'b']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /tools takes one SERVER/);
    const help = await run(['servers', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /examples:\n  mcpgate servers/);
  });
});

test('tools and search: a description\'s control characters (C0, DEL, C1) print as spaces, one line each', opts, async () => {
  // The description comes from the config here; a server's reaches the same printing.
  await withConfigFile(`servers:
  - name: everything
    command: ${NODE}
    args: [${EVERYTHING}, stdio]
    include_tools: [echo]
    overrides:
      echo:
        description: "Echo \\e[31mred\\x7f\\u009b2J\\ttab\\nsecond line"
`, async (file) => {
    for (const args of [['tools'], ['search', 'echo']]) {
      const r = await run([...args, '--config', file]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^everything\s+echo\s+Echo  \[31mred  2J tab$/m, JSON.stringify(r.stdout));
      assert.doesNotMatch(r.stdout, /[\x00-\x09\x0b-\x1f\x7f\x80-\x9f]|second line/, JSON.stringify(r.stdout));
    }
  });
});
