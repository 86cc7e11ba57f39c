// cli_client_config.test.mjs - `mcpgate client-config CLIENT`: the
// snippet for each MCP client, with the key named by a variable in that
// client's own syntax and never written out; the URL from the config's
// listen or --project; the errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli as run, withConfigFile } from './cli.mjs';

const opts = { timeout: 20_000 };
const SECRET = 'sk-mcpgate-THIS-MUST-NEVER-BE-PRINTED';
const LOCAL = 'http://127.0.0.1:8808/mcp';

const CONFIG = `
listen: 127.0.0.1:8808
servers:
  - name: alpha
    url: http://127.0.0.1:1/mcp
projects:
  - name: web
    servers: [alpha]
`;

// The JSON clients: where the server sits, and the header's exact value.
const JSON_CLIENTS = {
  'claude-code': { entry: (d) => d.mcpServers.mcpgate, url: 'url', type: 'http', auth: 'Bearer ${MCPGATE_API_KEY}' },
  cursor: { entry: (d) => d.mcpServers.mcpgate, url: 'url', type: undefined, auth: 'Bearer ${env:MCPGATE_API_KEY}' },
  vscode: { entry: (d) => d.servers.mcpgate, url: 'url', type: 'http', auth: 'Bearer ${input:mcpgate-api-key}' },
  windsurf: { entry: (d) => d.mcpServers.mcpgate, url: 'serverUrl', type: undefined, auth: 'Bearer ${env:MCPGATE_API_KEY}' },
  opencode: { entry: (d) => d.mcp.mcpgate, url: 'url', type: 'remote', auth: 'Bearer {env:MCPGATE_API_KEY}' },
  gemini: { entry: (d) => d.mcpServers.mcpgate, url: 'httpUrl', type: undefined, auth: 'Bearer ${MCPGATE_API_KEY}' },
};

const clientConfig = (file, ...args) => run(['client-config', ...args, '--config', file], { env: { MCPGATE_API_KEY: SECRET } });

function noSecret(r) {
  assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), 'the key itself is never printed');
}

test('every JSON client: valid JSON with the URL and the key named in its own syntax', opts, async () => {
  await withConfigFile(CONFIG, async (file) => {
    for (const [client, want] of Object.entries(JSON_CLIENTS)) {
      const r = await clientConfig(file, client);
      assert.equal(r.code, 0, `${client}: ${r.stderr}`);
      noSecret(r);
      const doc = JSON.parse(r.stdout);
      const entry = want.entry(doc);
      assert.ok(entry, `${client}: no server entry in ${r.stdout}`);
      assert.equal(entry[want.url], LOCAL, client);
      assert.equal(entry.type, want.type, client);
      assert.deepEqual(entry.headers, { Authorization: want.auth }, client);
      assert.match(r.stdout, /^\{\n {2}"/, `${client}: indented by two`);
      assert.match(r.stderr, /^# \S.*:/, `${client}: says where the snippet goes first`);
    }
  });
});

test('client extras: vscode asks for the key once, opencode is enabled and has its schema, claude-code has the command', opts, async () => {
  await withConfigFile(CONFIG, async (file) => {
    const vscode = JSON.parse((await clientConfig(file, 'vscode')).stdout);
    assert.deepEqual(vscode.inputs, [{
      type: 'promptString', id: 'mcpgate-api-key', description: "API key for the MCP gateway 'mcpgate'", password: true,
    }]);

    const opencode = JSON.parse((await clientConfig(file, 'opencode')).stdout);
    assert.equal(opencode.$schema, 'https://opencode.ai/config.json');
    assert.equal(opencode.mcp.mcpgate.enabled, true);

    const claude = await clientConfig(file, 'claude-code');
    assert.match(claude.stderr, /\.mcp\.json/);
    assert.ok(claude.stderr.includes(
      `claude mcp add --scope user --transport http mcpgate ${LOCAL} --header "Authorization: Bearer \${MCPGATE_API_KEY}"`),
    claude.stderr);
    assert.match(claude.stderr, /export MCPGATE_API_KEY=sk-mcpgate-\.\.\./);
  });
});

test('codex: the exact TOML lines; names and URLs that need it are quoted and escaped', opts, async () => {
  await withConfigFile(CONFIG, async (file) => {
    const r = await clientConfig(file, 'codex');
    assert.equal(r.code, 0, r.stderr);
    noSecret(r);
    assert.equal(r.stdout,
      `[mcp_servers.mcpgate]\nurl = "${LOCAL}"\nbearer_token_env_var = "MCPGATE_API_KEY"\n`);
    assert.match(r.stderr, /~\/\.codex\/config\.toml/);

    const odd = await clientConfig(file, 'codex', '--name', 'team.gw', '--key-env', 'TEAM_KEY',
      '--url', 'https://h.example/a"b\\c/mcp');
    assert.equal(odd.code, 0, odd.stderr);
    assert.equal(odd.stdout,
      '[mcp_servers."team.gw"]\nurl = "https://h.example/a\\"b\\\\c/mcp"\nbearer_token_env_var = "TEAM_KEY"\n');
  });
});

test('the URL follows --project, the config\'s listen and --url; --name and --key-env are used', opts, async () => {
  await withConfigFile(CONFIG, async (file) => {
    const p = JSON.parse((await clientConfig(file, 'cursor', '--project', 'web')).stdout);
    assert.equal(p.mcpServers.mcpgate.url, 'http://127.0.0.1:8808/p/web/mcp');

    const named = JSON.parse((await clientConfig(file, 'gemini', '--name', 'team', '--key-env', 'TEAM_KEY')).stdout);
    assert.deepEqual(named.mcpServers.team.headers, { Authorization: 'Bearer ${TEAM_KEY}' });

    const url = JSON.parse((await clientConfig(file, 'windsurf', '--url', 'https://mcp.example.com/mcp')).stdout);
    assert.equal(url.mcpServers.mcpgate.serverUrl, 'https://mcp.example.com/mcp');
  });
  await withConfigFile('listen: 127.0.0.2:9100\n', async (file) => {
    const r = await clientConfig(file, 'cursor');
    assert.equal(JSON.parse(r.stdout).mcpServers.mcpgate.url, 'http://127.0.0.2:9100/mcp');
  });
  await withConfigFile('listen: "[::1]:9200"\n', async (file) => {
    const r = await clientConfig(file, 'cursor');
    assert.equal(JSON.parse(r.stdout).mcpServers.mcpgate.url, 'http://[::1]:9200/mcp');
  });
  await withConfigFile('listen: 0.0.0.0:9300\n', async (file) => {
    const r = await clientConfig(file, 'cursor');
    assert.equal(JSON.parse(r.stdout).mcpServers.mcpgate.url, 'http://127.0.0.1:9300/mcp');
    assert.match(r.stderr, /every address.*\n.*--url/);
    assert.doesNotMatch(r.stderr, /without a key/, 'not loopback: a key is needed');
  });
});

test('a gateway that needs no key says so; --no-key leaves the header out', opts, async () => {
  await withConfigFile(CONFIG, async (file) => {
    const r = await clientConfig(file, 'cursor');
    assert.match(r.stderr, /takes calls without a key;\n# 'mcpgate client-config cursor --no-key'/);

    for (const client of Object.keys(JSON_CLIENTS)) {
      const n = await clientConfig(file, client, '--no-key');
      assert.equal(n.code, 0, n.stderr);
      const doc = JSON.parse(n.stdout);
      assert.equal(JSON_CLIENTS[client].entry(doc).headers, undefined, client);
      assert.equal(doc.inputs, undefined, client);
      assert.doesNotMatch(n.stderr, /MCPGATE_API_KEY|asks for the key/, client);
    }
    const codex = await clientConfig(file, 'codex', '--no-key');
    assert.equal(codex.stdout, `[mcp_servers.mcpgate]\nurl = "${LOCAL}"\n`);
  });
  await withConfigFile('auth: required\n', async (file) => {
    const r = await clientConfig(file, 'cursor');
    assert.doesNotMatch(r.stderr, /without a key/);
    const n = await clientConfig(file, 'cursor', '--no-key');
    assert.match(n.stderr, /needs an API key \(auth: required\)/);
  });
});

test('errors: unknown client (exit 2, the closest suggested), bad options, unknown project, broken config', opts, async () => {
  await withConfigFile(CONFIG, async (file) => {
    const unknown = await clientConfig(file, 'cursr');
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /unknown client 'cursr' \(did you mean 'cursor'\?\)/);
    for (const c of Object.keys(JSON_CLIENTS).concat('codex')) assert.match(unknown.stderr, new RegExp(`^  ${c} `, 'm'));

    const claude = await clientConfig(file, 'claude');
    assert.match(claude.stderr, /did you mean 'claude-code'/);

    const list = await run(['client-config']);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout.trim().split('\n').length, 1 + 7, list.stdout);
    assert.match(list.stdout, /^ {2}windsurf +\S/m);

    for (const args of [['--key-env', '1BAD'], ['--name', 'a b'], ['--url', 'ftp://x'], ['--bogus'],
      ['--url', 'https://x/mcp', '--project', 'web'], ['--no-key', '--key-env', 'K']]) {
      const r = await clientConfig(file, 'cursor', ...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
    const project = await clientConfig(file, 'cursor', '--project', 'wev');
    assert.equal(project.code, 2);
    assert.match(project.stderr, /no project 'wev' \(did you mean 'web'\?\)/);
  });
  await withConfigFile('listen: [oops\n', async (file) => {
    const r = await clientConfig(file, 'cursor');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
  });
});

test('--help lists the clients and has examples', opts, async () => {
  const r = await run(['client-config', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^usage: mcpgate client-config/);
  assert.match(r.stdout, /^ {2}claude-code +\S/m);
  assert.match(r.stdout, /examples:\n {2}mcpgate client-config/);
});
