import { defineConfig, defaultClientConditions, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { delimiter, resolve, sep } from 'node:path';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { connectSources, parseCatalog } from './src/core/models/catalog.ts';
import { vendorFiles, readVendorFile } from './scripts/vendor-assets.mjs';
import { extraAssets, readExtraAsset } from './scripts/extra-assets.mjs';

// Cross-origin isolation lets tfjs-wasm and ORT-wasm use threads (SharedArrayBuffer).
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const mime = (p: string) =>
  p.endsWith('.wasm') ? 'application/wasm' : p.endsWith('.mjs') || p.endsWith('.js') ? 'text/javascript' : p.endsWith('.json') ? 'application/json' : 'application/octet-stream';

/** Serves vendor runtime files and build-time derived assets in dev/preview, and emits them in the build. */
function originAssets(): Plugin {
  const all = (): Record<string, () => Buffer | null> => {
    const m: Record<string, () => Buffer | null> = {};
    for (const p of Object.keys(vendorFiles)) m[p] = () => readVendorFile(p);
    for (const p of extraAssets()) m[p] = () => readExtraAsset(p);
    return m;
  };
  const middleware = (req: { url?: string }, res: import('node:http').ServerResponse, next: () => void) => {
    const path = (req.url ?? '').split('?')[0].replace(/^\//, '');
    const get = all()[path];
    const body = get?.();
    if (!body) return next();
    res.setHeader('Content-Type', mime(path));
    for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
    res.end(body);
  };
  return {
    name: 'origin-assets',
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    generateBundle() {
      for (const [fileName, get] of Object.entries(all())) {
        const source = get();
        if (!source) this.error(`missing runtime asset ${fileName}; run npm install`);
        this.emitFile({ type: 'asset', fileName, source });
      }
    },
  };
}

/**
 * Benchmarks only (test mode with BENCH_LOCAL_ROOTS set, see test/bench/browser-bench.mjs):
 * streams files of the given local folders as /__local__/<absolute path>, with Range
 * support, so a multi-GB model's weights reach the page same-origin without passing
 * through one buffer. Paths outside those folders are refused.
 */
function benchLocalFiles(mode: string): Plugin | null {
  const roots = (process.env.BENCH_LOCAL_ROOTS ?? '').split(delimiter).filter(Boolean).map((r) => resolve(r));
  if (mode !== 'test' || roots.length === 0) return null;
  return {
    name: 'bench-local-files',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0];
        if (!url.startsWith('/__local__/')) return next();
        const abs = resolve(decodeURIComponent(url.slice('/__local__'.length)));
        if (!roots.some((r) => abs.startsWith(r + sep))) {
          res.statusCode = 403;
          return res.end();
        }
        let size: number;
        try {
          const st = statSync(abs);
          if (!st.isFile()) throw new Error('not a file');
          size = st.size;
        } catch {
          res.statusCode = 404;
          return res.end();
        }
        for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
        res.setHeader('Content-Type', mime(abs));
        res.setHeader('Accept-Ranges', 'bytes');
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        const start = range ? Number(range[1]) : 0;
        const end = range && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
        if (range) {
          if (start >= size) {
            res.statusCode = 416;
            res.setHeader('Content-Range', `bytes */${size}`);
            return res.end();
          }
          res.statusCode = 206;
          res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
        }
        res.setHeader('Content-Length', String(end - start + 1));
        if (req.method === 'HEAD') return res.end();
        createReadStream(abs, { start, end }).pipe(res);
      });
    },
  };
}

/**
 * Content-Security-Policy for the built app: connections only to our own origin and to
 * exactly the model catalog's download hosts (models/catalog.json, with the CDNs those
 * hosts redirect to), which the app contacts only when the user starts a download.
 * 'wasm-unsafe-eval' lets tfjs/ORT compile WebAssembly; blob: workers are how wasm
 * threads start.
 */
const modelHosts = connectSources(parseCatalog(JSON.parse(readFileSync(resolve(import.meta.dirname, 'models/catalog.json'), 'utf8'))));
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  ["connect-src 'self' blob: data:", ...modelHosts].join(' '),
  "img-src 'self' blob: data:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

function csp(): Plugin {
  return {
    name: 'csp-meta',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig(({ mode }) => ({
  plugins: [svelte(), originAssets(), csp(), benchLocalFiles(mode)],
  server: { headers: isolationHeaders, port: 5173 },
  preview: { headers: isolationHeaders, port: 4173 },
  // ORT's 'extern wasm' build: the wasm is served once from /vendor/ort/ instead of also
  // being copied into assets/ by the bundler.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: {
    target: 'es2022',
    outDir: mode === 'test' ? (process.env.TEST_OUT_DIR ?? 'dist-test') : 'dist',
    chunkSizeWarningLimit: 8000,
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
        ...(mode === 'test' ? { harness: resolve(import.meta.dirname, 'test/browser/harness/index.html') } : {}),
      } as Record<string, string>,
    },
  },
}));
