// Test helpers for `rbacgraph serve`: run the command in-process until aborted, and talk HTTP to it.
import http from 'node:http';
import { Command } from 'commander';
import type { CliIO } from '../../src/cli/io.js';
import { registerServe } from '../../src/cli/serve.js';

export interface Served {
  /** `http://127.0.0.1:PORT` */
  url: string;
  out: string[];
  err: string[];
  /** Send the stop signal; resolves to the exit code once the command has returned. */
  stop: () => Promise<number>;
}

export async function waitFor<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 5000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Run `rbacgraph serve ...argv` in this process. Resolves once it listens (its stderr line names
 * the address), or rejects with the exit code and stderr when it ends first.
 */
export async function startServe(argv: string[], env: Record<string, string> = {}): Promise<Served> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), stdin: () => '', isTTY: false, env };
  const controller = new AbortController();
  let code = -1;
  const program = new Command().exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerServe(program, io, (c) => {
    code = c;
  }, { signal: controller.signal });
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  let ended = false;
  let failure: unknown = null;
  const done = program.parseAsync(['serve', ...argv], { from: 'user' }).then(
    () => {
      ended = true;
    },
    (e: unknown) => {
      ended = true;
      failure = e;
    },
  );
  const line = await waitFor('the listening line', () => ended || err.join('').match(/listening on (http:\/\/\S+) /), 10_000);
  if (line === true) throw new Error(`serve ended before listening (exit ${code}): ${String((failure as Error)?.message ?? failure)}\n${err.join('')}`);
  return {
    url: line[1],
    out,
    err,
    stop: async () => {
      controller.abort();
      await done;
      if (failure) throw failure;
      return code;
    },
  };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request (node:http, so that any header, Host included, can be set). */
export function request(url: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function getJson<T = Record<string, unknown>>(url: string, headers?: Record<string, string>): Promise<Answer & { json: T }> {
  const a = await request(url, { headers });
  return { ...a, json: JSON.parse(a.body) as T };
}

export interface SseClient {
  /** The `data:` objects received so far, with their ids. */
  events: { id: number; data: Record<string, unknown> }[];
  /** Everything received, comments included. */
  raw: () => string;
  ended: () => boolean;
  status: number;
  close: () => void;
}

/** Subscribe to an event stream; resolves once the response headers arrived. */
export function subscribe(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      let raw = '';
      let pending = '';
      let ended = false;
      const client: SseClient = {
        events: [],
        raw: () => raw,
        ended: () => ended,
        status: res.statusCode ?? 0,
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += chunk;
        pending += chunk;
        let i: number;
        while ((i = pending.indexOf('\n\n')) >= 0) {
          const message = pending.slice(0, i);
          pending = pending.slice(i + 2);
          let id = 0;
          const data: string[] = [];
          for (const line of message.split('\n')) {
            if (line.startsWith('id: ')) id = Number(line.slice(4));
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) client.events.push({ id, data: JSON.parse(data.join('\n')) as Record<string, unknown> });
        }
      });
      res.on('end', () => {
        ended = true;
      });
      res.on('error', () => {
        ended = true;
      });
      resolve(client);
    });
    req.on('error', reject);
  });
}
