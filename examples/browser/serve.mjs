// A tiny static file server for the browser example (no dependencies): serves the repository root on 127.0.0.1.
//   node examples/browser/serve.mjs [port] [--no-isolation]    then open http://127.0.0.1:<port>/examples/browser/
// (Any static server works; the page only needs .wasm served as application/wasm, which most do.) It sends
// Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, which make the page
// cross-origin isolated: SharedArrayBuffer, so rectify can use worker threads. --no-isolation leaves them out (the page
// then trains on one thread and says why).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png',
};

/**
 * Serves the files under `root` (GET and HEAD only; no directory listings; index.html for directories), with the
 * COOP/COEP headers of cross-origin isolation unless `isolated` is false.
 */
export function serve(root, port = 0, host = '127.0.0.1', { isolated = true } = {}) {
  const isolation = isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
  const base = normalize(root + sep);
  const server = createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405).end(); return; }
      let file = normalize(join(base, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
      if (!file.startsWith(base)) { res.writeHead(403).end(); return; }
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...isolation });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(port, host, () => {
    const a = server.address();
    resolve({ server, url: `http://${host}:${a.port}` });
  }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const port = process.argv.slice(2).find((a) => /^\d+$/.test(a));
  const { url } = await serve(root, Number(port ?? 8080), '127.0.0.1', { isolated: !process.argv.includes('--no-isolation') });
  console.log(`serving ${root} at ${url}/  ->  open ${url}/examples/browser/`);
}
