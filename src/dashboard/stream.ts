// The dashboard's live updates: one server-sent-event stream per signed-in browser. Changes of the
// class are coalesced (a burst of commands makes one message a short moment later), transcripts
// are forwarded only to the page that shows that trainee, and a browser that stops reading is
// dropped instead of buffering without end.
import type { ServerResponse } from 'node:http';
import type { StreamMessage, TraineeRow } from './protocol.js';

/**
 * How long changes are gathered before one message carries them all: a class at work changes every
 * trainee's row all the time (last activity), and a row costs a few milliseconds to compute.
 */
export const COALESCE_MS = 250;

/** Rows are computed in slices of this much time, so SSH sessions are served in between. */
const SLICE_MS = 4;

/** Transcript text the first message of a detail page carries at most (the end of it). */
export const TRANSCRIPT_TAIL = 64 * 1024;

/** Bytes a browser may leave unread before its stream is closed. */
const MAX_UNREAD = 1024 * 1024;

/** Comment lines keep proxies and the browser from timing an idle stream out. */
const KEEPALIVE_MS = 25_000;

export interface StreamSource {
  /** every trainee, for a new stream */
  rows(): TraineeRow[];
  /** one trainee, after a change */
  row(name: string): TraineeRow | undefined;
  exercises(): string[];
  transcript(name: string): string;
}

interface Client {
  session: string;
  res: ServerResponse;
  trainee?: string;
}

export class StreamHub {
  private clients = new Set<Client>();
  private dirty = new Set<string>();
  private pendingText = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;
  private closed = false;
  private keepalive: NodeJS.Timeout;

  constructor(private readonly source: StreamSource, readonly maxClients: number) {
    this.keepalive = setInterval(() => this.broadcast(': keepalive\n\n'), KEEPALIVE_MS);
    this.keepalive.unref();
  }

  has(session: string): boolean {
    for (const c of this.clients) if (c.session === session) return true;
    return false;
  }

  get size(): number {
    return this.clients.size;
  }

  /**
   * Starts a stream on `res` for a session. A session has one stream: a page of the same browser
   * opening another ends the old one. Returns false when the server holds its maximum already.
   */
  open(session: string, res: ServerResponse, trainee?: string): boolean {
    for (const c of this.clients) if (c.session === session) this.end(c, 'another page of this browser opened the live view');
    if (this.clients.size >= this.maxClients) return false;
    // output waiting for the next message is in what this stream starts with (it was recorded
    // first): the pages open already get it now, and this one does not get it twice
    if (trainee !== undefined) this.flushTextOf(trainee);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    const c: Client = { session, res, trainee };
    this.clients.add(c);
    res.on('close', () => this.clients.delete(c));
    this.send(c, { type: 'snapshot', trainees: this.source.rows(), exercises: this.source.exercises() });
    if (trainee !== undefined) this.send(c, { type: 'transcript', name: trainee, text: this.source.transcript(trainee).slice(-TRANSCRIPT_TAIL), reset: true });
    return true;
  }

  /** Ends every stream of a session (sign-out). */
  closeSession(session: string): void {
    for (const c of this.clients) if (c.session === session) this.end(c, 'signed out');
  }

  changed(name: string): void {
    this.dirty.add(name);
    this.schedule();
  }

  transcript(name: string, text: string): void {
    if (![...this.clients].some((c) => c.trainee === name)) return;
    const prev = this.pendingText.get(name) ?? '';
    this.pendingText.set(name, (prev + text).slice(-TRANSCRIPT_TAIL));
    this.schedule();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.keepalive);
    if (this.timer) clearTimeout(this.timer);
    for (const c of this.clients) this.end(c, 'the server is stopping');
  }

  private schedule(): void {
    if (this.clients.size === 0) {
      this.dirty.clear();
      this.pendingText.clear();
      return;
    }
    if (this.timer || this.flushing) return;
    this.timer = setTimeout(() => void this.flush().catch(() => {}), COALESCE_MS);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    this.flushing = true;
    try {
      await this.flushRows();
    } finally {
      this.flushing = false;
    }
    this.flushText();
    // changes made while the rows were computed go out in the next message
    if (!this.closed && (this.dirty.size || this.pendingText.size)) this.schedule();
  }

  private async flushRows(): Promise<void> {
    if (!this.dirty.size) return;
    const names = [...this.dirty];
    this.dirty.clear();
    const rows: TraineeRow[] = [];
    let slice = performance.now();
    for (const name of names) {
      let row: TraineeRow | undefined;
      try {
        row = this.source.row(name);
      } catch {
        // a lab closing under the stream: that row waits for its next change
      }
      if (row) rows.push(row);
      if (performance.now() - slice > SLICE_MS) {
        await new Promise((r) => setImmediate(r));
        if (this.closed) return;
        slice = performance.now();
      }
    }
    if (rows.length && this.clients.size) this.broadcast(this.frame({ type: 'rows', trainees: rows }));
  }

  private flushText(): void {
    for (const name of [...this.pendingText.keys()]) this.flushTextOf(name);
  }

  private flushTextOf(name: string): void {
    const text = this.pendingText.get(name);
    if (text === undefined) return;
    this.pendingText.delete(name);
    const frame = this.frame({ type: 'transcript', name, text, reset: false });
    for (const c of this.clients) if (c.trainee === name) this.write(c, frame);
  }

  private frame(m: StreamMessage): string {
    // JSON has no raw newline, so one data: line carries the whole message
    return `data: ${JSON.stringify(m)}\n\n`;
  }

  private send(c: Client, m: StreamMessage): void {
    this.write(c, this.frame(m));
  }

  private broadcast(frame: string): void {
    for (const c of this.clients) this.write(c, frame);
  }

  private write(c: Client, frame: string): void {
    if (c.res.writableLength > MAX_UNREAD) {
      this.clients.delete(c);
      c.res.destroy();
      return;
    }
    c.res.write(frame);
  }

  private end(c: Client, reason: string): void {
    this.clients.delete(c);
    c.res.end(this.frame({ type: 'closed', reason }));
  }
}
