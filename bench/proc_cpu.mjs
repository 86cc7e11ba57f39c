// proc_cpu.mjs - CPU time of a gateway: utime + stime from /proc/PID/stat,
// summed over the process and every descendant except the upstream servers
// (a process whose first argument ends in ts_echo_stdio.mjs, and all below
// it).  Helpers a gateway starts itself (a shell, a worker) are counted.
//
//   node proc_cpu.mjs PID       prints the total in microseconds
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the ")" that closes comm: state ppid ... utime(14) stime(15)
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null; // gone
  }
}

function isUpstream(pid) {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return (argv[1] || '').endsWith('ts_echo_stdio.mjs');
  } catch {
    return false;
  }
}

// cpuMicros(PID): CPU time of PID and its non-upstream descendants, in us
export function cpuMicros(root) {
  const children = new Map();
  const ticks = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(name);
    if (!s) continue;
    ticks.set(Number(name), s.ticks);
    if (!children.has(s.ppid)) children.set(s.ppid, []);
    children.get(s.ppid).push(Number(name));
  }
  let total = 0;
  const todo = [Number(root)];
  while (todo.length) {
    const pid = todo.pop();
    if (pid !== Number(root) && isUpstream(pid)) continue;
    total += ticks.get(pid) || 0;
    todo.push(...(children.get(pid) || []));
  }
  return Math.round(total * 1e6 / ticksPerSecond);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(cpuMicros(process.argv[2]));
}
