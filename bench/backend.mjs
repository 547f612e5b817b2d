// The benchmark's backend: well-formed answers (no rule fires on them), in its own process.
//   node bench/backend.mjs PORT
import http from 'node:http';

const port = Number(process.argv[2]);
const small = JSON.stringify({ id: 1, title: 'small' });
// A JSON document of just under 64 KiB.
const items = [];
while (JSON.stringify({ items }).length < 64 * 1024 - 64) items.push({ id: items.length, name: `item number ${items.length}`, tags: ['a', 'b'] });
const largeBody = Buffer.from(JSON.stringify({ items }));
// Exactly 65,536 bytes (a power of two, as many real payloads and test fixtures are): with its
// head, the response no longer fits one 64 KiB socket read, so a proxy reads it in two.
const exactItems = items.slice(0, -2);
const padding = 64 * 1024 - JSON.stringify({ items: exactItems, pad: '' }).length;
const exactBody = Buffer.from(JSON.stringify({ items: exactItems, pad: 'x'.repeat(padding) }));
if (exactBody.length !== 64 * 1024) throw new Error(`the exact body has ${exactBody.length} bytes`);
const chunk = Buffer.alloc(64 * 1024, 0x61);
let created = 0;

http
  .createServer((req, res) => {
    const path = req.url ?? '/';
    if (req.method === 'POST') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.stringify({ id: ++created });
        res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), location: `/items/${created}` });
        res.end(body);
      });
      return;
    }
    if (path === '/large') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': largeBody.length });
      res.end(largeBody);
      return;
    }
    if (path === '/exact') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': exactBody.length });
      res.end(exactBody);
      return;
    }
    if (path === '/huge') {
      // 10 MiB, streamed in 64 KiB chunks.
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 160 * chunk.length });
      let sent = 0;
      const write = () => {
        while (sent < 160) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
        res.end();
      };
      write();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(small) });
    res.end(small);
  })
  .listen(port, '127.0.0.1', () => process.send?.('ready'));
