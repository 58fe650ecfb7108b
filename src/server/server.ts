import { createReadStream, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toJson } from '../io/json.js';
import { decodeSegments, resolveInside, type Refusal } from './paths.js';
import { listRuns } from './runs.js';

/** The Vite build of src/web, next to dist/ in the package (built by `npm run build`). */
export const WEB_DIST = fileURLToPath(new URL('../../web-dist', import.meta.url));

export function webDistBuilt(webRoot = WEB_DIST): boolean {
  return existsSync(join(webRoot, 'index.html'));
}

export interface LabServerOptions {
  /** The built page (web-dist). */
  webRoot: string;
  /** The runs folder, served read-only under /runs/ and listed by /api/runs. */
  runsRoot: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
  '.yml': 'text/yaml; charset=utf-8',
  '.woff2': 'font/woff2',
};

const STATUS: Record<Refusal, number> = { 'bad-request': 400, forbidden: 403 };

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * Requests must name this machine: a page on another site can point its own host name at
 * 127.0.0.1 (DNS rebinding) and would otherwise read the local runs through this server.
 */
function localHost(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  return host === '127.0.0.1' || host === 'localhost';
}

async function sendFile(res: ServerResponse, root: string, segments: string[], extraHeaders: Record<string, string> = {}): Promise<void> {
  const file = await resolveInside(root, segments);
  if (file === null) return send(res, 404, 'not found\n');
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
    ...extraHeaders,
  });
  if (res.req.method === 'HEAD') return void res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

async function handle(o: LabServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!localHost(req)) return send(res, 403, 'refused: the lab answers only to 127.0.0.1 and localhost\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'read-only: GET and HEAD only\n');
  }
  const rawPath = (req.url ?? '/').split(/[?#]/)[0];
  if (rawPath === '/api/runs') return send(res, 200, toJson(await listRuns(o.runsRoot)), TYPES['.json']);
  const segments = decodeSegments(rawPath === '/' ? '/index.html' : rawPath);
  if (typeof segments === 'string') return send(res, STATUS[segments], 'refused\n');
  if (segments[0] === 'runs') {
    // A stored report is the user's file but not the lab's code: a sandbox gives its scripts (if
    // any) a separate origin, so they cannot read other runs through this server.
    return sendFile(res, o.runsRoot, segments.slice(1), { 'Content-Security-Policy': 'sandbox allow-scripts allow-popups allow-modals' });
  }
  return sendFile(res, o.webRoot, segments);
}

/** The lab's HTTP server: the built page and the runs folder, read-only. Call `listen` on 127.0.0.1. */
export function createLabServer(o: LabServerOptions): Server {
  return createServer((req, res) => {
    handle(o, req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, `internal error: ${(e as Error).message}\n`);
      else res.destroy();
    });
  });
}
