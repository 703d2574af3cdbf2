// Server-Sent Events: the watch events (the JSON objects `rbacgraph watch` prints), to every subscriber.
//
// Each event is one SSE message: `id: N` (a sequence number, from 1) and `data: <the event's JSON>`.
// Messages carry no `event:` field, so EventSource's onmessage sees them all; the JSON's own
// `event` member says what happened. A client that reconnects with Last-Event-ID gets the events it
// missed while they are still in the replay buffer (the last 1024). Comment lines keep idle
// connections open through proxies. A subscriber that stops reading is dropped rather than
// buffered without limit.

import type { IncomingMessage, ServerResponse } from 'node:http';

export interface HubOptions {
  /** Comment line interval on idle streams (default 15 s). */
  heartbeatMs?: number;
  /** Events kept for Last-Event-ID replay (default 1024). */
  replay?: number;
  /** Bytes queued for one subscriber before it is dropped (default 8 MiB). */
  maxQueuedBytes?: number;
}

interface Sent {
  id: number;
  text: string;
}

export class EventHub {
  private readonly subscribers = new Set<ServerResponse>();
  private readonly buffer: Sent[] = [];
  private lastId = 0;
  private readonly heartbeatMs: number;
  private readonly replay: number;
  private readonly maxQueuedBytes: number;
  private timer: NodeJS.Timeout | null = null;
  /** Events published, by their `event` member. */
  readonly counts = new Map<string, number>();
  dropped = 0;

  constructor(opts: HubOptions = {}) {
    this.heartbeatMs = opts.heartbeatMs ?? 15_000;
    this.replay = opts.replay ?? 1024;
    this.maxQueuedBytes = opts.maxQueuedBytes ?? 8 * 1024 * 1024;
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** Send one event to every subscriber (and keep it for replay). */
  publish(event: { event: string }): void {
    const id = ++this.lastId;
    const text = `id: ${id}\ndata: ${JSON.stringify(event)}\n\n`;
    this.counts.set(event.event, (this.counts.get(event.event) ?? 0) + 1);
    this.buffer.push({ id, text });
    if (this.buffer.length > this.replay) this.buffer.shift();
    for (const res of this.subscribers) this.write(res, text);
  }

  /** Take over a GET request as an event stream; `hello` is a comment sent first. */
  subscribe(req: IncomingMessage, res: ServerResponse, hello: string): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Content-Type-Options': 'nosniff',
    });
    res.write(`retry: 2000\n: ${hello.replace(/[\r\n]+/g, ' ')}\n\n`);
    const last = Number(req.headers['last-event-id']);
    if (Number.isInteger(last) && last >= 0) {
      for (const s of this.buffer) if (s.id > last) res.write(s.text);
    }
    this.subscribers.add(res);
    const drop = (): void => {
      this.subscribers.delete(res);
    };
    res.on('close', drop);
    res.on('error', drop);
    this.startHeartbeat();
  }

  /** End every stream (shutdown). */
  closeAll(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const res of this.subscribers) {
      // End the stream and its connection (an ended event stream's keep-alive socket would hold shutdown up).
      res.end(() => res.socket?.destroy());
    }
    this.subscribers.clear();
  }

  private write(res: ServerResponse, text: string): void {
    if (res.writableLength > this.maxQueuedBytes) {
      // The client does not read: drop it (it may reconnect with Last-Event-ID).
      this.dropped++;
      this.subscribers.delete(res);
      res.destroy();
      return;
    }
    res.write(text);
  }

  private startHeartbeat(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.subscribers.size === 0) return;
      for (const res of this.subscribers) this.write(res, ': keepalive\n\n');
    }, this.heartbeatMs);
    this.timer.unref();
  }
}
