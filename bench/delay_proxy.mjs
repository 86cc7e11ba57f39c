// delay_proxy.mjs - a TCP proxy on 127.0.0.1 that holds every chunk for
// half of RTT_MS each way, so a connection through it has a round trip of
// about RTT_MS: a remote server, made on loopback.
//
//   node delay_proxy.mjs LISTEN_PORT TARGET_PORT RTT_MS
import net from 'node:net';

const [listenPort, targetPort, rtt] = process.argv.slice(2).map(Number);
net.createServer((client) => {
  const target = net.connect(targetPort, '127.0.0.1');
  client.on('data', (d) => setTimeout(() => target.write(d), rtt / 2));
  target.on('data', (d) => setTimeout(() => client.write(d), rtt / 2));
  client.on('close', () => target.destroy());
  target.on('close', () => client.destroy());
  client.on('error', () => {});
  target.on('error', () => {});
}).listen(listenPort, '127.0.0.1');
