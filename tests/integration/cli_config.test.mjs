// cli_config.test.mjs - the commands that write the config: `init`,
// `add`, `remove`, `enable`, `disable`, `catalog` and `connect`, end to
// end with the real binary.  The file written must load, the server added
// must really run (server-everything over stdio), and everything outside
// the edited entry must stay byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync, statSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { assertCleanStderr } from './lib.mjs';
import { NODE, EVERYTHING } from './upstreams.mjs';
import { runCli, withConfigFile } from './cli.mjs';

const opts = { timeout: 60_000 };

/** Run the CLI; the sanitizers must have stayed quiet. */
async function cli(args, { env } = {}) {
  const r = await runCli(args, { timeout: 30_000, env });
  assertCleanStderr(r.stderr, `mcpgate ${args.join(' ')}`);
  return r;
}

test('init writes a starter config that loads and serves the demo tools', opts, async () => {
  await withConfigFile('', async (file) => {
    const env = { MCPGATE_CONFIG: file };
    // withConfigFile made the file: init must not overwrite it.
    let r = await cli(['init'], { env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /exists; use --force to overwrite it, or --config FILE/);
    assert.equal(readFileSync(file, 'utf8'), '');

    r = await cli(['init', '--force'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^overwrote .*mcpgate\.yaml/);
    assert.match(r.stdout, /mcpgate call demo echo --text hi/);
    const text = readFileSync(file, 'utf8');
    for (const key of ['listen', 'auth', 'allow_origins', 'log_level', 'demo', 'state_dir', 'connection_timeout',
      'discovery_timeout', 'liveness_probe_interval', 'session_idle_timeout', 'sse_poll_interval', 'max_message',
      'tool_name_format', 'tool_name_max', 'list_page_size', 'team', 'write_tools_for_read_keys', 'call_record',
      'conformance', 'servers', 'projects']) {
      assert.match(text, new RegExp(`^#? ?${key}:`, 'm'), `the starter config explains ${key}`);
    }
    assert.match(text, /^demo: true$/m);

    r = await cli(['servers'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /No servers are configured/);
    r = await cli(['call', 'demo', 'echo', '--text', 'hi'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'hi');
  });
});

test('add, disable, enable, remove: a real server, and the rest of the file kept', opts, async () => {
  await withConfigFile('', async (file) => {
    const c = ['--config', file];
    assert.equal((await cli(['init', '--force', ...c])).code, 0);
    chmodSync(file, 0o640);
    const starter = readFileSync(file, 'utf8');

    let r = await cli(['add', 'everything', ...c, '--description', 'The test server: echo, "sums" # etc',
      '--', NODE, EVERYTHING, 'stdio']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^added server "everything" \(stdio: .*node .*index\.js stdio\) to /m);
    assert.match(r.stdout, /mcpgate tools everything/);
    assert.match(r.stdout, /reads the config again on SIGHUP/);
    const added = readFileSync(file, 'utf8');
    assert.equal(statSync(file).mode & 0o777, 0o640, 'the mode is kept');
    // The entry sits right under "servers:", everything else unchanged.
    const at = starter.indexOf('servers:\n') + 'servers:\n'.length;
    assert.equal(added.slice(0, at), starter.slice(0, at));
    assert.ok(added.endsWith(starter.slice(at)));
    assert.match(added, /^ {2}- name: everything\n {4}description: "The test server: echo, \\"sums\\" # etc"\n/m);

    r = await cli(['tools', 'everything', ...c]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^everything\s+echo\s+/m);
    r = await cli(['call', ...c, 'everything', 'echo', '--message', 'hi']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Echo: hi/);

    r = await cli(['disable', 'everything', ...c]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^disabled server "everything" in /);
    assert.match(readFileSync(file, 'utf8'), /^ {4}enabled: false$/m);
    r = await cli(['servers', ...c]);
    assert.match(r.stdout, /^everything\s+stdio\s+disabled/m);
    r = await cli(['disable', 'everything', ...c]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /already disabled/);

    r = await cli(['enable', 'everything', ...c]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(file, 'utf8'), added, 'disable then enable gives the file back');

    // A ${VAR} reference is written as it is: the secret stays in the environment.
    r = await cli(['add', 'gh', ...c, '--url', 'https://api.githubcopilot.com/mcp/',
      '--header', 'Authorization=Bearer ${MG_CFG_TEST_TOKEN}', '--include', 'search_*,get_me']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /MG_CFG_TEST_TOKEN, not set/);
    const withGh = readFileSync(file, 'utf8');
    assert.match(withGh, /^ {6}Authorization: "Bearer \$\{MG_CFG_TEST_TOKEN\}"$/m);
    assert.match(withGh, /^ {4}include_tools: \["search_\*", get_me\]$/m);

    r = await cli(['remove', 'gh', ...c]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(file, 'utf8'), added);
    r = await cli(['remove', 'everything', ...c]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(file, 'utf8'), starter, 'back to the starter config, byte for byte');
  });
});

test('add and remove refuse what is wrong, and leave the file alone', opts, async () => {
  const yaml = `# team config
servers:
  - name: everything
    command: ${NODE}
    args: [${EVERYTHING}, stdio]
projects:
  - name: p
    servers: [everything]
`;
  await withConfigFile(yaml, async (file, dir) => {
    const c = ['--config', file];
    const cases = [
      [['add', 'everything', ...c, '--', 'x'], 2, /already has a server named 'everything'/],
      [['add', 'bad name', ...c, '--', 'x'], 2, /'bad name' cannot be a server name/],
      [['add', 'both', ...c, '--url', 'https://example.com/mcp', '--', 'x'], 2, /either --url or a command/],
      [['add', 'neither', ...c], 2, /needs --url URL or a command after --/],
      [['add', 'h', ...c, '--header', 'X=1', '--', 'x'], 2, /--header and --transport are for url servers/],
      [['add', 't', ...c, '--timeout', 'soon', '--', 'x'], 2, /--timeout takes a number of seconds/],
      [['add', 'u', ...c, '--url', 'ftp://example.com'], 1, /servers\[1\]\.url/],
      [['remove', 'everythin', ...c], 2, /no server named 'everythin' .*did you mean 'everything'\?/],
      [['enable', 'nope', ...c], 2, /no server named 'nope'/],
      // The project still lists it: the loader says so, nothing is written.
      [['remove', 'everything', ...c], 1, /projects\[0\]\.servers\[0\]: unknown server "everything"/],
    ];
    for (const [args, code, msg] of cases) {
      const r = await cli(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg, args.join(' '));
      assert.equal(readFileSync(file, 'utf8'), yaml, `${args.join(' ')} left the file alone`);
    }

    // A layout that cannot be edited line by line is refused, not mangled.
    const flow = 'servers: [{name: a, command: x}]\n';
    writeFileSync(file, flow);
    for (const args of [['add', 'b', ...c, '--', 'y'], ['disable', 'a', ...c], ['remove', 'a', ...c]]) {
      const r = await cli(args);
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, /flow style .*\nEdit the file by hand/);
      assert.equal(readFileSync(file, 'utf8'), flow);
    }

    // No config at all: add creates one with only the servers list.
    const fresh = path.join(dir, 'new', '..', 'fresh.yaml');
    const r = await cli(['add', 'everything', '--config', fresh, '--disabled', '--', NODE, EVERYTHING, 'stdio']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^created .*fresh\.yaml with a servers list$/m);
    assert.match(r.stdout, /mcpgate enable everything/);
    assert.ok(existsSync(path.join(dir, 'fresh.yaml')));
    assert.match(readFileSync(path.join(dir, 'fresh.yaml'), 'utf8'), /^servers:\n {2}- name: everything\n/);
  });
});

test('catalog lists and searches the built-in servers; connect adds one', opts, async () => {
  let r = await cli(['catalog']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^NAME\s+TRANSPORT\s+AUTH\s+DESCRIPTION$/m);
  assert.match(r.stdout, /^github\s+streamable-http\s+token GITHUB_TOKEN\s+/m);
  assert.match(r.stdout, /^linear\s+streamable-http\s+oauth\s+/m);
  assert.match(r.stdout, /^filesystem\s+stdio\s+none\s+/m);

  r = await cli(['catalog', '--json']);
  const entries = JSON.parse(r.stdout);
  assert.ok(entries.length >= 15);
  for (const e of entries) {
    assert.match(e.name, /^[a-z0-9-]+$/);
    assert.ok(['stdio', 'streamable-http', 'sse'].includes(e.transport), e.name);
    assert.ok(e.transport === 'stdio' ? e.command && Array.isArray(e.args) : /^https:\/\//.test(e.url), e.name);
    assert.ok(['none', 'token', 'oauth'].includes(e.auth.kind), e.name);
    if (e.auth.kind === 'token') assert.match(e.auth.env, /^[A-Z_]+$/, e.name);
    assert.match(e.homepage, /^https:\/\//, e.name);
  }

  r = await cli(['catalog', 'search', 'FILES', 'directories']);
  assert.equal(r.code, 0);
  assert.deepEqual(r.stdout.split('\n').filter((l) => /^\S+\s+(stdio|streamable-http|sse)\s/.test(l)).map((l) => l.split(/\s+/)[0]),
    ['filesystem']);
  r = await cli(['catalog', 'search', 'zzzz-no-such-thing']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /No server in the catalog matches/);

  await withConfigFile('demo: true\n', async (file) => {
    const c = ['--config', file];
    r = await cli(['connect', 'github', ...c]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\$GITHUB_TOKEN, which is not set yet/);
    assert.match(readFileSync(file, 'utf8'), /^ {6}Authorization: "Bearer \$\{GITHUB_TOKEN\}"$/m);
    r = await cli(['connect', 'huggingface', '--name', 'hf', ...c], { env: { HF_TOKEN: 'not-a-real-token' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\$HF_TOKEN, which is set/);
    assert.ok(!readFileSync(file, 'utf8').includes('not-a-real-token'), 'the secret is never written');

    r = await cli(['connect', 'filesystem', ...c]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /filesystem needs DIR\.\.\. after --/);
    r = await cli(['connect', 'filesystem', ...c, '--', '/tmp']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(file, 'utf8'), /args: \["-y", "@modelcontextprotocol\/server-filesystem", \/tmp\]/);

    const before = readFileSync(file, 'utf8');
    r = await cli(['connect', 'linear', ...c]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /OAuth only, and mcpgate has no OAuth client yet/);
    r = await cli(['connect', 'gihtub', ...c]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /did you mean 'github'\?/);
    r = await cli(['connect', 'github', ...c]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /already has a server named 'github'/);
    assert.equal(readFileSync(file, 'utf8'), before);

    r = await cli(['connect', 'filesystem', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /arguments: {2}after --, DIR\.\.\.: .* \(required\)/);
  });
});
