// http_post.mjs - the JSON-RPC POST the node benchmark clients share.
import http from 'node:http';

// poster(URL) returns post(HEADERS, MESSAGE) -> {status, headers, body},
// over keep-alive connections, accepting JSON or an event stream; and
// post.agent, to destroy when done.
export function poster(url) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const post = (headers, body) => new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: {
      'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
  post.agent = agent;
  return post;
}
