// Raw requests to the Kubernetes API: TLS and credentials from the kubeconfig, retries with backoff, paging, watch streams.

import http from 'node:http';
import https from 'node:https';
import { createGunzip } from 'node:zlib';
import { ErrorCode, RbacgraphError } from '../errors.js';
import type { ResolvedCluster } from './kube-config.js';

export interface KubeRequest {
  method?: 'GET' | 'POST';
  /** Absolute API path, e.g. `/api/v1/pods`. */
  path: string;
  query?: Record<string, string | undefined>;
  accept?: string;
  body?: unknown;
}

export interface KubeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An API answer or a connection failure, with what the caller needs to decide (retry, gap, relist, stop). */
export class KubeApiError extends RbacgraphError {
  constructor(
    message: string,
    /** HTTP status; null for a connection or TLS failure. */
    readonly status: number | null,
    /** Kubernetes Status `reason` (Forbidden, NotFound, Expired, ...) or the network error code. */
    readonly reason: string,
    /** Worth trying again later: 429, most 5xx, connection errors. */
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(ErrorCode.KUBE_API, message, options);
    this.name = 'KubeApiError';
  }
}

export interface RetryInfo {
  path: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface KubeClientOptions {
  /** Attempts per request, the first included (default 8). */
  maxAttempts?: number;
  /** First backoff delay; it doubles each attempt up to maxDelayMs (defaults 250 ms and 8 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A request that receives nothing for this long is abandoned and retried (default 60 s). */
  idleTimeoutMs?: number;
  onRetry?: (info: RetryInfo) => void;
}

export interface CallOptions {
  /** Epoch milliseconds after which no further attempt starts and the request in flight is abandoned. */
  deadline: number;
  signal?: AbortSignal;
}

export interface WatchEvent {
  type: string;
  object: Record<string, unknown>;
}

const RETRYABLE_NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'IDLE_TIMEOUT', 'UND_ERR_SOCKET']);
const TLS_CODES = /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_OSSL|HOSTNAME_MISMATCH)/;

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(t);
      reject(abortError());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(): KubeApiError {
  return new KubeApiError('aborted', null, 'Aborted', false);
}

export function isAbort(e: unknown): boolean {
  return e instanceof KubeApiError && e.reason === 'Aborted';
}

/** `Retry-After`: delay-seconds or an HTTP date. */
export function retryAfterMs(v: string | string[] | undefined, now: number): number | null {
  const s = Array.isArray(v) ? v[0] : v;
  if (!s) return null;
  if (/^\s*\d+\s*$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

/** The message of a Kubernetes Status body, or a short description of any other body. */
export function statusMessage(body: string): { message: string | null; reason: string | null } {
  try {
    const s = JSON.parse(body) as { kind?: unknown; message?: unknown; reason?: unknown };
    if (s && typeof s === 'object' && s.kind === 'Status') {
      return { message: typeof s.message === 'string' ? s.message : null, reason: typeof s.reason === 'string' ? s.reason : null };
    }
  } catch {
    // not JSON: a proxy's HTML page or plain text
  }
  return { message: null, reason: null };
}

function queryString(q: Record<string, string | undefined> | undefined): string {
  if (!q) return '';
  const parts = Object.entries(q).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export class KubeClient {
  readonly server: URL;
  private readonly isHttps: boolean;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly idleTimeoutMs: number;
  private readonly onRetry?: (info: RetryInfo) => void;
  private agent: http.Agent | null = null;

  constructor(readonly cluster: ResolvedCluster, opts: KubeClientOptions = {}) {
    this.server = new URL(cluster.server);
    this.isHttps = this.server.protocol === 'https:';
    this.maxAttempts = opts.maxAttempts ?? 8;
    this.baseDelayMs = opts.baseDelayMs ?? 250;
    this.maxDelayMs = opts.maxDelayMs ?? 8000;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
    this.onRetry = opts.onRetry;
  }

  /**
   * TLS material and credentials, asked of the kubeconfig for every request: exec plugins and
   * projected token files rotate. The connection pool is built once from the first answer.
   */
  private async prepare(): Promise<{ headers: Record<string, string>; agent: http.Agent }> {
    const o: https.RequestOptions = { headers: {} };
    try {
      await this.cluster.kc.applyToHTTPSOptions(o);
    } catch (e) {
      throw new KubeApiError(`cannot get credentials for context "${this.cluster.context}": ${(e as Error).message}`, null, 'Credentials', false, { cause: e });
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.headers ?? {})) if (typeof v === 'string' || typeof v === 'number') headers[k] = String(v);
    if (o.auth) headers.Authorization = `Basic ${Buffer.from(o.auth).toString('base64')}`;
    if (!this.agent) {
      if (this.cluster.kc.getCurrentCluster()?.proxyUrl && o.agent) {
        this.agent = o.agent as http.Agent;
      } else if (this.isHttps) {
        // No socket limit: each watch holds a connection for minutes (HTTP/1.1 has no multiplexing),
        // and a limit would queue the later watches behind them forever. Lists are limited by the caller.
        this.agent = new https.Agent({
          keepAlive: true,
          ca: o.ca,
          cert: o.cert,
          key: o.key,
          pfx: o.pfx,
          passphrase: o.passphrase,
          servername: o.servername,
          ...(o.rejectUnauthorized !== undefined ? { rejectUnauthorized: o.rejectUnauthorized } : {}),
        });
      } else {
        this.agent = new http.Agent({ keepAlive: true });
      }
    }
    return { headers, agent: this.agent };
  }

  /** One attempt: resolves with any HTTP answer, rejects on a connection or TLS failure. */
  private async once(req: KubeRequest, deadline: number, signal?: AbortSignal): Promise<KubeResponse> {
    const { headers, agent } = await this.prepare();
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const h: Record<string, string> = { ...headers, Accept: req.accept ?? 'application/json', 'Accept-Encoding': 'gzip', 'User-Agent': 'rbacgraph' };
    if (body !== undefined) {
      h['Content-Type'] = 'application/json';
      h['Content-Length'] = String(Buffer.byteLength(body));
    }
    const mod = this.isHttps ? https : http;
    const basePath = this.server.pathname.replace(/\/+$/, '');
    return new Promise<KubeResponse>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null, res?: KubeResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(hard);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(res!);
      };
      const r = mod.request(
        {
          protocol: this.server.protocol,
          hostname: this.server.hostname.replace(/^\[|\]$/g, ''),
          port: this.server.port || (this.isHttps ? 443 : 80),
          path: `${basePath}${req.path}${queryString(req.query)}`,
          method: req.method ?? 'GET',
          headers: h,
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          const stream = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          stream.on('error', (e) => finish(e));
          res.on('error', (e) => finish(e));
        },
      );
      const onAbort = (): void => {
        r.destroy();
        finish(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // No overall timeout (`--request-timeout 0`): no timer (setTimeout would overflow and fire at once).
      const hard = Number.isFinite(deadline)
        ? setTimeout(() => {
            r.destroy();
            finish(Object.assign(new Error('the overall request timeout passed'), { code: 'DEADLINE' }));
          }, Math.max(0, deadline - Date.now()))
        : undefined;
      r.setTimeout(this.idleTimeoutMs, () => {
        r.destroy(Object.assign(new Error(`no answer for ${Math.round(this.idleTimeoutMs / 1000)} s`), { code: 'IDLE_TIMEOUT' }));
      });
      r.on('error', (e) => finish(e));
      if (body !== undefined) r.write(body);
      r.end();
    });
  }

  private describe(req: KubeRequest): string {
    return `${req.method ?? 'GET'} ${req.path}`;
  }

  private networkError(req: KubeRequest, e: unknown): KubeApiError {
    if (e instanceof KubeApiError) return e;
    const err = e as NodeJS.ErrnoException;
    const code = err.code ?? 'ERROR';
    if (code === 'DEADLINE') return new KubeApiError(`${this.describe(req)}: timed out (--request-timeout)`, null, 'Timeout', false, { cause: e });
    if (TLS_CODES.test(code)) {
      return new KubeApiError(
        `TLS with ${this.server.host} failed (${code}): ${err.message}; check the cluster's certificate-authority in the kubeconfig`,
        null, code, false, { cause: e },
      );
    }
    return new KubeApiError(`${this.describe(req)}: cannot reach ${this.server.host} (${code}: ${err.message})`, null, code, RETRYABLE_NETWORK.has(code), { cause: e });
  }

  private backoff(attempt: number): number {
    const d = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(d * (0.8 + 0.4 * Math.random()));
  }

  /**
   * A request with retries: 429 (honouring Retry-After), 500/502/503/504 and connection errors are
   * tried again with exponential backoff until maxAttempts or the deadline. Other answers (2xx,
   * 4xx) are returned as they are.
   */
  async call(req: KubeRequest, opts: CallOptions): Promise<KubeResponse> {
    for (let attempt = 1; ; attempt++) {
      if (opts.signal?.aborted) throw abortError();
      if (Date.now() >= opts.deadline) throw new KubeApiError(`${this.describe(req)}: timed out (--request-timeout)`, null, 'Timeout', false);
      let res: KubeResponse | null = null;
      let failure: KubeApiError | null = null;
      try {
        res = await this.once(req, opts.deadline, opts.signal);
      } catch (e) {
        failure = this.networkError(req, e);
        if (!failure.retryable) throw failure;
      }
      let wait: number;
      let why: string;
      if (res) {
        const retryable = res.status === 429 || res.status === 500 || res.status === 502 || res.status === 503 || res.status === 504;
        if (!retryable) return res;
        const ra = retryAfterMs(res.headers['retry-after'], Date.now());
        wait = ra ?? this.backoff(attempt);
        why = `${res.status}${ra !== null ? ` (Retry-After ${Math.round(ra / 1000)} s)` : ''}`;
        failure = this.statusError(req, res);
      } else {
        wait = this.backoff(attempt);
        why = failure!.reason;
      }
      if (attempt >= this.maxAttempts) throw new KubeApiError(`${failure!.message} (gave up after ${attempt} attempts)`, failure!.status, failure!.reason, false, { cause: failure });
      if (Date.now() + wait >= opts.deadline) {
        throw new KubeApiError(`${failure!.message} (no time left for another attempt within --request-timeout)`, failure!.status, failure!.reason, false, { cause: failure });
      }
      this.onRetry?.({ path: req.path, attempt, delayMs: wait, reason: why });
      await sleep(wait, opts.signal);
    }
  }

  /** An error for a non-2xx answer, with the API's own message when it sent a Status. */
  statusError(req: KubeRequest, res: KubeResponse): KubeApiError {
    const { message, reason } = statusMessage(res.body);
    const text = message ?? `HTTP ${res.status}`;
    const retryable = res.status === 429 || (res.status >= 500 && res.status !== 501);
    return new KubeApiError(`${this.describe(req)}: ${res.status} ${text}`, res.status, reason ?? String(res.status), retryable);
  }

  /** A request whose 2xx JSON answer is returned parsed; anything else throws KubeApiError. */
  async json(req: KubeRequest, opts: CallOptions): Promise<unknown> {
    const res = await this.call(req, opts);
    if (res.status === 401) throw this.unauthorized();
    if (res.status < 200 || res.status >= 300) throw this.statusError(req, res);
    try {
      return JSON.parse(res.body);
    } catch (e) {
      throw new KubeApiError(`${this.describe(req)}: the answer is not JSON`, res.status, 'BadResponse', false, { cause: e });
    }
  }

  unauthorized(): KubeApiError {
    return new KubeApiError(
      `the API server at ${this.server.host} rejected the credentials of context "${this.cluster.context}" (401 Unauthorized): the token or certificate is missing, wrong or expired`,
      401, 'Unauthorized', false,
    );
  }

  /**
   * A watch stream: each JSON line is handed to onEvent. Resolves when the server ends the stream
   * (its timeoutSeconds); rejects with KubeApiError on a non-200 answer or a broken connection.
   */
  async watch(req: KubeRequest, onEvent: (e: WatchEvent) => void, opts: { signal?: AbortSignal; idleTimeoutMs: number }): Promise<void> {
    const { headers, agent } = await this.prepare();
    const mod = this.isHttps ? https : http;
    const basePath = this.server.pathname.replace(/\/+$/, '');
    const signal = opts.signal;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | null): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const r = mod.request(
        {
          protocol: this.server.protocol,
          hostname: this.server.hostname.replace(/^\[|\]$/g, ''),
          port: this.server.port || (this.isHttps ? 443 : 80),
          path: `${basePath}${req.path}${queryString(req.query)}`,
          method: 'GET',
          headers: { ...headers, Accept: req.accept ?? 'application/json', 'User-Agent': 'rbacgraph' },
          agent,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const body = Buffer.concat(chunks).toString('utf8');
              finish(status === 401 ? this.unauthorized() : this.statusError(req, { status, headers: res.headers, body }));
            });
            res.on('error', (e) => finish(this.networkError(req, e)));
            return;
          }
          res.setEncoding('utf8');
          let buf = '';
          res.on('data', (chunk: string) => {
            buf += chunk;
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (!line) continue;
              let ev: WatchEvent;
              try {
                ev = JSON.parse(line) as WatchEvent;
              } catch (e) {
                r.destroy();
                finish(new KubeApiError(`${this.describe(req)}: a watch event is not JSON`, 200, 'BadResponse', true, { cause: e }));
                return;
              }
              try {
                onEvent(ev);
              } catch (e) {
                r.destroy();
                finish(e as Error);
                return;
              }
            }
          });
          res.on('end', () => finish(null));
          res.on('error', (e) => finish(this.networkError(req, e)));
          res.on('aborted', () => finish(this.networkError(req, Object.assign(new Error('stream aborted'), { code: 'ECONNRESET' }))));
        },
      );
      const onAbort = (): void => {
        r.destroy();
        finish(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      r.setTimeout(opts.idleTimeoutMs, () => {
        r.destroy(Object.assign(new Error(`watch silent for ${Math.round(opts.idleTimeoutMs / 1000)} s`), { code: 'IDLE_TIMEOUT' }));
      });
      r.on('error', (e) => finish(this.networkError(req, e)));
      r.end();
    });
  }

  close(): void {
    this.agent?.destroy();
    this.agent = null;
  }
}
