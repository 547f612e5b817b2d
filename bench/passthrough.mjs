// The floor for any http-proxy-based auditor: a bare http-proxy passthrough, keep-alive upstream.
//   node bench/passthrough.mjs PORT TARGET
import http from 'node:http';
import httpProxy from 'http-proxy';

const [port, target] = [Number(process.argv[2]), process.argv[3]];
const proxy = httpProxy.createProxyServer({ target, agent: new http.Agent({ keepAlive: true, maxFreeSockets: 256 }), xfwd: true });
proxy.on('error', (_error, _req, res) => {
  res.writeHead?.(502);
  res.end();
});
http.createServer((req, res) => proxy.web(req, res)).listen(port, '127.0.0.1', () => process.send?.('ready'));
