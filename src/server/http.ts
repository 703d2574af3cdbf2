// rbacgraph's HTTP API server (node:http): /healthz, /metrics, REST questions under /api/v1/, and the event stream.
//
// Trust boundary (architecture.md): it binds to loopback by default; bound anywhere else it requires
// a bearer token (the command refuses to start without one). With a token, every path but
// /healthz needs `Authorization: Bearer <token>`, compared in constant time. Without a token
// (loopback only), requests must name a loopback host in their Host header, so that a web page
// cannot reach the server through DNS rebinding. Answers carry no secret value: snapshots hold none.

import { createHash, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toJson } from '../cli/output.js';
import { EventHub, type HubOptions } from './events.js';
import { renderMetrics, type WatchCounters } from './metrics.js';
import { answerQuestion, HttpError, isQuestion } from './routes.js';
import type { ServedSnapshot } from './state.js';

export interface ApiServerOptions {
  host: string;
  port: number;
  /** Required bearer token (null: none, only allowed on loopback). */
  token: string | null;
  /** One line on stderr (errors of the server itself). */
  log: (line: string) => void;
  /** Informer counters in watch mode, for /metrics. */
  watchCounters?: () => WatchCounters[];
  events?: HubOptions;
}

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.', '::1', '[::1]']);

/** Whether a host (name or address) is the loopback interface: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (LOOPBACK_NAMES.has(h)) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return h.split('.').every((o) => Number(o) <= 255);
  return /^(\[)?::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}(\])?$/.test(h);
}

/** The host name of a Host header (without port and brackets kept for IPv6). */
function hostOfHeader(h: string): string {
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : h;
  }
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class ApiServer {
  private current: ServedSnapshot | null = null;
  private analyses = 0;
  private readonly requests = new Map<string, number>();
  readonly events: EventHub;
  private readonly server: http.Server;
  private readonly tokenDigest: Buffer | null;
  private address: AddressInfo | null = null;

  constructor(private readonly opts: ApiServerOptions) {
    this.tokenDigest = opts.token ? digest(opts.token) : null;
    this.events = new EventHub(opts.events);
    this.server = http.createServer((req, res) => this.handle(req, res));
    // Headers must arrive promptly; event streams are long-lived responses, which no timeout here ends.
    this.server.headersTimeout = 20_000;
    this.server.requestTimeout = 60_000;
  }

  /** The snapshot queries are answered from (null until the first is analysed). */
  get served(): ServedSnapshot | null {
    return this.current;
  }

  /** Replace the served snapshot. Requests already answering keep the one they started with. */
  setSnapshot(s: ServedSnapshot): void {
    this.current = s;
    this.analyses++;
  }

  /** Send a watch event to the event stream's subscribers. */
  publish(e: { event: string }): void {
    this.events.publish(e);
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.address = this.server.address() as AddressInfo;
    this.server.on('error', (e) => this.opts.log(`rbacgraph serve: server error: ${e.message}`));
    return this.address;
  }

  /** `http://HOST:PORT` as a client would write it. */
  url(): string {
    const a = this.address;
    if (!a) throw new Error('not listening');
    return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  /** Stop accepting connections, end event streams and open requests; resolves once closed. */
  async close(): Promise<void> {
    this.events.closeAll();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    // Give requests being answered a moment, then cut what remains.
    const t = setTimeout(() => this.server.closeAllConnections(), 2000);
    t.unref();
    await closed;
    clearTimeout(t);
  }

  private count(route: string, status: number): void {
    const k = `${route} ${status}`;
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
  }

  private send(res: ServerResponse, req: IncomingMessage, route: string, status: number, body: string, contentType: string, headers: Record<string, string> = {}): void {
    this.count(route, status);
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private sendJson(res: ServerResponse, req: IncomingMessage, route: string, status: number, value: unknown, headers: Record<string, string> = {}): void {
    this.send(res, req, route, status, toJson(value), 'application/json; charset=utf-8', headers);
  }

  private sendError(res: ServerResponse, req: IncomingMessage, route: string, e: HttpError, headers: Record<string, string> = {}): void {
    this.sendJson(res, req, route, e.status, e.toJSON(), headers);
  }

  private authorized(req: IncomingMessage): boolean {
    if (!this.tokenDigest) return true;
    const h = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    // Compare digests: equal lengths, and the time taken says nothing about the token.
    return m !== null && timingSafeEqual(digest(m[1]), this.tokenDigest);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://rbacgraph.invalid');
    } catch {
      this.sendError(res, req, 'other', new HttpError(400, 'USAGE', 'malformed request URL'));
      return;
    }
    const path = url.pathname;
    const route = path === '/healthz' || path === '/metrics' || path === '/api/v1/events' ? path : path.startsWith('/api/v1/') ? '/api/v1/*' : 'other';
    try {
      if (!this.tokenDigest) {
        const host = hostOfHeader(req.headers.host ?? '');
        if (!isLoopbackHost(host)) {
          throw new HttpError(403, 'FORBIDDEN', `this server answers only requests addressed to a loopback host (Host: ${JSON.stringify(req.headers.host ?? '')}); serve other names with --token-env`);
        }
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        this.sendError(res, req, route, new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed: the API only reads (GET)`), { Allow: 'GET, HEAD' });
        return;
      }
      if (path !== '/healthz' && !this.authorized(req)) {
        this.sendError(res, req, route, new HttpError(401, 'UNAUTHORIZED', 'a bearer token is required: Authorization: Bearer <token>'), { 'WWW-Authenticate': 'Bearer realm="rbacgraph"' });
        return;
      }
      const served = this.current;
      if (path === '/healthz') {
        if (!served) {
          this.sendJson(res, req, route, 503, { status: 'starting', snapshot: null, message: 'the first snapshot is not analysed yet' }, { 'Retry-After': '5' });
        } else {
          this.sendJson(res, req, route, 200, { status: 'ok', snapshot: served.snapshot.hash, analysedAt: new Date(served.analysedAt).toISOString() });
        }
        return;
      }
      if (path === '/metrics') {
        if ([...url.searchParams.keys()].length > 0) throw new HttpError(400, 'USAGE', '/metrics takes no parameters', [...url.searchParams.keys()][0]);
        const text = renderMetrics({
          served,
          analyses: this.analyses,
          events: this.events.counts,
          subscribers: this.events.size,
          subscribersDropped: this.events.dropped,
          requests: this.requests,
          watch: this.opts.watchCounters?.() ?? null,
        });
        this.send(res, req, route, 200, text, 'text/plain; version=0.0.4; charset=utf-8');
        return;
      }
      if (path === '/api/v1/events') {
        const k = [...url.searchParams.keys()][0];
        if (k !== undefined) throw new HttpError(400, 'USAGE', `unknown parameter "${k}" (the event stream takes none)`, k);
        this.count(route, 200);
        if (req.method === 'HEAD') {
          res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store' });
          res.end();
          return;
        }
        this.events.subscribe(req, res, `rbacgraph events; snapshot ${served ? served.snapshot.hash : 'none yet'}`);
        return;
      }
      if (path.startsWith('/api/v1/') && !path.slice('/api/v1/'.length).includes('/')) {
        const name = path.slice('/api/v1/'.length);
        if (!served) {
          // Known questions wait for the first snapshot; unknown ones are 404 either way.
          if (!isQuestion(name)) throw new HttpError(404, 'NOT_FOUND', `no such endpoint: ${path}`);
          throw new HttpError(503, 'NOT_READY', 'the first snapshot is not analysed yet');
        }
        this.sendJson(res, req, route, 200, answerQuestion(name, url.searchParams, served));
        return;
      }
      throw new HttpError(404, 'NOT_FOUND', `no such endpoint: ${path} (try /healthz, /metrics, /api/v1/who-can, /api/v1/can-i, /api/v1/paths, /api/v1/secret-access, /api/v1/events)`);
    } catch (e) {
      if (e instanceof HttpError) {
        this.sendError(res, req, route, e, e.status === 503 ? { 'Retry-After': '5' } : {});
        return;
      }
      this.opts.log(`rbacgraph serve: ${req.method} ${path}: internal error: ${(e as Error)?.message ?? String(e)}`);
      if (!res.headersSent) this.sendError(res, req, route, new HttpError(500, 'INTERNAL', 'internal error (see the server log)'));
      else res.destroy();
    }
  }
}
