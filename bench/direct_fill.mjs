// direct_fill.mjs - the floor for catalog_fill.mjs: N copies of a stdio
// server started at once with no gateway, each sent initialize,
// notifications/initialized and tools/list as raw lines the moment it
// starts.  Prints when each answered tools/list, and a RESULT line whose
// all_ms is the slowest: what a gateway starting the same N servers
// cannot beat on this machine.
//
//   node direct_fill.mjs N CMD ARGS...
import { spawn } from 'node:child_process';

const [countText, cmd, ...args] = process.argv.slice(2);
const count = Number(countText);
const start = process.hrtime.bigint();
const ms = () => Number(process.hrtime.bigint() - start) / 1e6;
const line = (m) => JSON.stringify(m) + '\n';

const listed = await Promise.all(Array.from({ length: count }, (_, i) => new Promise((resolve, reject) => {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  let buf = '';
  const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`server ${i + 1}: no tools/list answer in 30 s`)); }, 30000);
  child.stdout.on('data', (d) => {
    buf += d;
    for (let nl; (nl = buf.indexOf('\n')) >= 0; buf = buf.slice(nl + 1)) {
      const msg = JSON.parse(buf.slice(0, nl));
      if (msg.id === 2) {
        clearTimeout(timer);
        resolve(ms());
        child.kill('SIGTERM');
      }
    }
  });
  child.stdin.write(line({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
    protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }));
  child.stdin.write(line({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  child.stdin.write(line({ jsonrpc: '2.0', id: 2, method: 'tools/list' }));
})));

listed.forEach((t, i) => console.log(`  server ${String(i + 1).padEnd(23)} ${t.toFixed(0).padStart(6)} ms`));
console.log(`RESULT servers_listed=${count}/${count} first_ms=${Math.min(...listed).toFixed(0)} all_ms=${Math.max(...listed).toFixed(0)}`);
