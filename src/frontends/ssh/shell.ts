// The SSH front ends of a session: an interactive PTY shell with a raw-key line editor, and a line
// mode for exec requests and shells without a PTY. They only adapt a byte channel to the session
// core; everything the CLI prints comes from the core.
import { StringDecoder } from 'node:string_decoder';
import type { Duplex } from 'node:stream';
import { AskOptions, Cancelled, Completion } from '../../console/registry.js';
import type { OutputKind, RunResult, SessionIO } from '../../console/core.js';
import { LineQueue } from '../script/script.js';

/** What a front end needs from a session: CliSession and the lab console both have this shape. */
export interface ShellSession {
  width: number;
  height?: number;
  on(fn: (text: string, kind: OutputKind) => void): () => void;
  banner(): Promise<void>;
  showPrompt(): void;
  run(line: string, io: SessionIO): Promise<RunResult>;
  completion(line: string): Completion;
  question(line: string): string[];
}

/** The channel side: an ssh2 ServerChannel, or any duplex with an optional exit status. */
export type Channel = Duplex & { exit?(status: number): void };

/** Longest command line or answer kept; further typing rings the bell (a paste flood stays small). */
export const MAX_LINE = 4096;
/** Keys typed ahead while a command runs; the rest is dropped. */
const MAX_TYPEAHEAD = 16384;
/** Output waiting for a client that does not read, before commands stop being run. */
const OUTPUT_HIGH_WATER = 256 * 1024;
/** Lines read from stdin in line mode over a whole session. */
const MAX_LINES = 10000;

export type KeyName =
  | 'enter'
  | 'backspace'
  | 'delete'
  | 'left'
  | 'right'
  | 'up'
  | 'down'
  | 'home'
  | 'end'
  | 'tab'
  | 'ctrl-c'
  | 'ctrl-d'
  | 'ctrl-u'
  | 'ctrl-k';
export type Key = { ch: string } | { key: KeyName };

const CONTROL: Record<string, KeyName> = {
  '\t': 'tab',
  '\x7f': 'backspace',
  '\b': 'backspace',
  '\x01': 'home',
  '\x05': 'end',
  '\x02': 'left',
  '\x06': 'right',
  '\x10': 'up',
  '\x0e': 'down',
  '\x03': 'ctrl-c',
  '\x04': 'ctrl-d',
  '\x15': 'ctrl-u',
  '\x0b': 'ctrl-k',
};

const FINAL: Record<string, KeyName> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end' };
const TILDE: Record<string, KeyName> = { '1': 'home', '7': 'home', '4': 'end', '8': 'end', '3': 'delete' };

// CSI (arrows, Home/End/Delete), SS3 (application-mode arrows), OSC strings (titles), ESC + key
const ESC_SEQ = /^\x1b(?:\[([0-9;?]*)[\x20-\x2f]*([\x40-\x7e])|O([\x20-\x7e])|\][^\x07\x1b]{0,256}(?:\x07|\x1b\\)|[\x20-\x7e])/;
const ESC_PARTIAL = /^\x1b(?:\[[0-9;?]*[\x20-\x2f]*|O|\][^\x07\x1b]*\x1b?)?$/;

/** Turns terminal input bytes into keys. Escape sequences split across packets are reassembled. */
export class KeyDecoder {
  private utf8 = new StringDecoder('utf8');
  private held = '';
  private lastCR = false;

  feed(data: Buffer | string): Key[] {
    const s = this.held + (typeof data === 'string' ? data : this.utf8.write(data));
    this.held = '';
    const keys: Key[] = [];
    for (let i = 0; i < s.length; ) {
      const c = s[i];
      if (c === '\x1b') {
        if (s.length - i < 300 && ESC_PARTIAL.test(s.slice(i))) {
          this.held = s.slice(i); // the rest of the sequence is in the next packet
          break;
        }
        const m = ESC_SEQ.exec(s.slice(i, i + 300));
        if (m) {
          const name = m[2] === '~' ? TILDE[(m[1] ?? '').split(';')[0]] : FINAL[m[2] ?? m[3] ?? ''];
          if (name) keys.push({ key: name });
          i += m[0].length;
        } else i++; // a malformed sequence: drop the ESC, the rest is ordinary input
        this.lastCR = false;
        continue;
      }
      i++;
      // CR LF from clients that send both is one Enter
      if (c === '\n' && this.lastCR) {
        this.lastCR = false;
        continue;
      }
      this.lastCR = c === '\r';
      if (c === '\r' || c === '\n') keys.push({ key: 'enter' });
      else if (CONTROL[c]) keys.push({ key: CONTROL[c] });
      else if (printable(c)) keys.push({ ch: c });
    }
    return keys;
  }
}

function printable(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code <= 0x9f)) return false;
  // lone surrogates and the replacement character only come from garbage bytes
  return !(code >= 0xd800 && code <= 0xdfff) && code !== 0xfffd;
}

/** Terminals need CR LF; the core writes LF. */
export function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

type Mode =
  | { kind: 'edit' }
  | { kind: 'busy' }
  | { kind: 'answer'; opts: AskOptions; resolve(v: string): void; reject(e: Error): void }
  | { kind: 'pager'; resolve(v: 'line' | 'page' | 'quit'): void };

export interface ShellOptions {
  /** minutes without a key before the session is closed; 0 = never */
  idleMinutes: number;
  /** called once when the shell has ended, whoever ended it */
  onEnd(): void;
}

/** Common to both front ends: ending once, idle timer, shutdown notice. */
abstract class FrontEnd {
  protected closed = false;
  protected off: () => void = () => {};
  private idle?: NodeJS.Timeout;
  private lastKey = Date.now();

  constructor(
    protected session: ShellSession,
    protected ch: Channel,
    protected opts: ShellOptions,
  ) {
    // the client going away ends the session; errors on a dead channel are not ours to report
    ch.on('close', () => this.end(undefined, false));
    ch.on('error', () => this.end(undefined, false));
  }

  private outBuf = '';
  private flushQueued = false;

  // Writes made while handling one chunk of input (echo, redraws, output lines) leave in one
  // packet: per-key packets cost far more CPU and round trips than the bytes themselves.
  protected write(text: string): void {
    if (this.closed || !text) return;
    this.outBuf += text;
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flushOut());
    }
  }

  protected flushOut(): void {
    this.flushQueued = false;
    if (!this.outBuf) return;
    const text = this.outBuf;
    this.outBuf = '';
    try {
      this.ch.write(text);
    } catch {
      // the channel is already gone
    }
  }

  protected touch(): void {
    this.lastKey = Date.now();
    this.arm(this.opts.idleMinutes * 60_000);
  }

  // timers cannot wait longer than 2^31-1 ms (the CLI allows 99999 minutes): wait in steps
  private arm(ms: number): void {
    if (this.idle) clearTimeout(this.idle);
    if (!ms || this.closed) return;
    this.idle = setTimeout(() => this.timedOut(), Math.min(ms, 0x7fffffff));
    this.idle.unref();
  }

  protected timedOut(): void {
    const limit = this.opts.idleMinutes * 60_000;
    const left = this.lastKey + limit - Date.now();
    if (left > 0) return this.arm(left);
    if (this.isBusy()) return this.touch(); // a running command is not idleness
    this.end(`\r\nSession timed out after ${this.opts.idleMinutes} minutes of inactivity.\r\n`, true);
  }

  /** Waits while the client is not reading, so a flood of commands cannot pile up output here. */
  protected async drained(): Promise<void> {
    const ch = this.ch;
    while (!this.closed && ch.writableLength > OUTPUT_HIGH_WATER) {
      await new Promise<void>((resolve) => {
        const done = () => {
          ch.off('drain', done);
          ch.off('close', done);
          resolve();
        };
        ch.on('drain', done);
        ch.on('close', done);
      });
    }
  }

  protected abstract isBusy(): boolean;
  protected abstract cancelPending(): void;

  /** Tells the user why the session ends (server shutdown) and closes it. */
  shutdown(notice: string): void {
    this.end(crlf(notice), true);
  }

  end(notice: string | undefined, closeChannel: boolean, status = 0): void {
    if (this.closed) return;
    if (notice) this.write(notice);
    this.flushOut();
    this.closed = true;
    if (this.idle) clearTimeout(this.idle);
    this.off();
    this.cancelPending();
    if (closeChannel) {
      try {
        this.ch.exit?.(status);
        this.ch.end();
      } catch {
        // the channel is already gone
      }
    }
    this.opts.onEnd();
  }
}

/** The PTY shell: banner, `admin:` prompt, raw keys edited here and echoed live. */
export class InteractiveShell extends FrontEnd {
  private decoder = new KeyDecoder();
  private mode: Mode = { kind: 'busy' };
  private line = '';
  private cursor = 0;
  private history: string[] = [];
  private histPos = -1;
  private queue: Key[] = [];
  private head = 0;
  private pumping = false;

  async start(): Promise<void> {
    // typed text is echoed by the editor as it is typed, so the core's echoes are not sent
    this.off = this.session.on((text, kind) => {
      if (kind !== 'echo') this.write(crlf(text));
    });
    this.ch.on('data', (d: Buffer) => this.input(d));
    this.touch();
    try {
      await this.session.banner();
    } catch {
      // a banner cannot fail in a way the user could act on
    }
    if (this.closed) return;
    this.session.showPrompt();
    this.setMode({ kind: 'edit' });
  }

  protected isBusy(): boolean {
    return this.mode.kind === 'busy';
  }

  protected cancelPending(): void {
    const m = this.mode;
    this.mode = { kind: 'busy' };
    if (m.kind === 'answer') m.reject(new Cancelled());
    else if (m.kind === 'pager') m.resolve('quit');
  }

  private input(d: Buffer): void {
    if (this.closed) return;
    this.touch();
    const keys = this.decoder.feed(d);
    const room = MAX_TYPEAHEAD - (this.queue.length - this.head);
    if (room <= 0) return;
    for (const k of keys.length > room ? keys.slice(0, room) : keys) this.queue.push(k);
    this.pump();
  }

  private setMode(m: Mode): void {
    this.mode = m;
    if (m.kind !== 'busy') this.pump();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    let bell = false;
    try {
      while (!this.closed && this.head < this.queue.length) {
        const k = this.queue[this.head];
        if (this.mode.kind === 'busy') {
          // Ctrl-C cannot stop a running command; it is not kept for later either
          if ('key' in k && k.key === 'ctrl-c') this.head++;
          else break;
          continue;
        }
        this.head++;
        // one bell per burst of refused keys, not one per key of a pasted flood
        if (!this.handle(k) && !bell) {
          bell = true;
          this.write('\x07');
        }
      }
    } finally {
      this.pumping = false;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Handles one key; false means it was refused (bell). */
  private handle(k: Key): boolean {
    const m = this.mode;
    if (m.kind === 'pager') {
      const key = 'key' in k ? k.key : k.ch;
      const choice = key === 'enter' ? 'line' : key === ' ' ? 'page' : key === 'q' || key === 'Q' || key === 'ctrl-c' ? 'quit' : undefined;
      if (choice) {
        this.mode = { kind: 'busy' };
        m.resolve(choice);
      }
      return true;
    }
    const editing = m.kind === 'edit';
    if ('ch' in k) {
      if (editing && k.ch === '?') {
        this.help();
        return true;
      }
      if (this.line.length >= MAX_LINE) return false;
      this.edit(this.line.slice(0, this.cursor) + k.ch + this.line.slice(this.cursor), this.cursor + 1);
      return true;
    }
    switch (k.key) {
      case 'enter':
        return this.enter(), true;
      case 'tab':
        if (editing) this.complete();
        return true;
      case 'ctrl-c':
        if (m.kind === 'answer') {
          this.write('\r\n');
          this.resetLine();
          this.mode = { kind: 'busy' };
          m.reject(new Cancelled());
        } else {
          this.write('^C\r\n');
          this.resetLine();
          this.prompt();
        }
        return true;
      case 'ctrl-d':
        if (editing && this.line === '') this.end('\r\n', true);
        return true;
      case 'backspace':
        if (this.cursor === 0) return false;
        this.edit(this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor), this.cursor - 1);
        return true;
      case 'delete':
        if (this.cursor >= this.line.length) return false;
        this.edit(this.line.slice(0, this.cursor) + this.line.slice(this.cursor + 1), this.cursor);
        return true;
      case 'left':
        return this.cursor > 0 ? (this.edit(this.line, this.cursor - 1), true) : false;
      case 'right':
        return this.cursor < this.line.length ? (this.edit(this.line, this.cursor + 1), true) : false;
      case 'home':
        return this.edit(this.line, 0), true;
      case 'end':
        return this.edit(this.line, this.line.length), true;
      case 'ctrl-u':
        return this.edit(this.line.slice(this.cursor), 0), true;
      case 'ctrl-k':
        return this.edit(this.line.slice(0, this.cursor), this.cursor), true;
      case 'up':
      case 'down':
        if (editing) return this.recall(k.key === 'up' ? -1 : 1);
        return true;
    }
  }

  private display(s: string): string {
    const m = this.mode;
    if (m.kind === 'answer' && m.opts.hidden) return '';
    if (m.kind === 'answer' && m.opts.password) return '*'.repeat(s.length);
    return s;
  }

  /**
   * Moves from the current line and cursor to new ones with plain bytes only (BS, text, spaces):
   * back up to where the lines differ, rewrite the tail, blank what is left over.
   */
  private edit(line: string, cursor: number): void {
    const oldD = this.display(this.line);
    const newD = this.display(line);
    const oldC = this.display(this.line.slice(0, this.cursor)).length;
    const newC = this.display(line.slice(0, cursor)).length;
    let out: string;
    if (oldD === newD) {
      out = newC < oldC ? '\b'.repeat(oldC - newC) : newD.slice(oldC, newC);
    } else {
      let p = 0;
      while (p < oldD.length && p < newD.length && oldD[p] === newD[p]) p++;
      const start = Math.min(p, oldC);
      const pad = Math.max(0, oldD.length - newD.length);
      out = '\b'.repeat(oldC - start) + newD.slice(start) + ' '.repeat(pad) + '\b'.repeat(pad + newD.length - newC);
    }
    this.line = line;
    this.cursor = cursor;
    this.write(out);
  }

  private resetLine(): void {
    this.line = '';
    this.cursor = 0;
    this.histPos = -1;
  }

  /** The prompt after a command: a CR first, as the real CLI sends `\r\nadmin:` ... `\radmin:`. */
  private prompt(): void {
    this.write('\r');
    this.session.showPrompt();
    this.mode = { kind: 'edit' };
  }

  /** Reprints the prompt and the line being typed (after a listing or help). */
  private redraw(): void {
    this.session.showPrompt();
    this.write(this.line);
    this.cursor = this.line.length;
  }

  private recall(dir: -1 | 1): boolean {
    const h = this.history;
    if (dir < 0) {
      if (!h.length) return false;
      this.histPos = this.histPos < 0 ? h.length - 1 : Math.max(0, this.histPos - 1);
    } else {
      if (this.histPos < 0) return false;
      this.histPos = this.histPos + 1 >= h.length ? -1 : this.histPos + 1;
    }
    const text = this.histPos < 0 ? '' : h[this.histPos];
    const pos = this.histPos;
    this.edit(this.line, this.line.length);
    this.edit(text, text.length);
    this.histPos = pos;
    return true;
  }

  private complete(): void {
    let c: Completion;
    try {
      c = this.session.completion(this.line);
    } catch {
      return;
    }
    if (c.list?.length) {
      this.write('\r\n' + c.list.join('\r\n') + '\r\n');
      this.line = c.line.slice(0, MAX_LINE);
      this.redraw();
    } else if (c.line !== this.line) {
      this.edit(this.line, this.line.length);
      this.edit(c.line.slice(0, MAX_LINE), Math.min(c.line.length, MAX_LINE));
    }
  }

  /** `?` lists what can follow at once, then the line is offered again for more typing. */
  private help(): void {
    let help: string[];
    try {
      help = this.session.question(this.line);
    } catch {
      help = [];
    }
    this.write('?\r\n');
    if (help.length) this.write(crlf(help.join('\n') + '\n'));
    this.redraw();
  }

  private enter(): void {
    const m = this.mode;
    const text = this.line;
    // a hidden answer (echo off) leaves the cursor where it was, as the real terminal does
    if (!(m.kind === 'answer' && m.opts.hidden)) this.write('\r\n');
    this.line = '';
    this.cursor = 0;
    if (m.kind === 'answer') {
      this.mode = { kind: 'busy' };
      m.resolve(text);
      return;
    }
    if (text.trim() && this.history[this.history.length - 1] !== text) {
      this.history.push(text);
      if (this.history.length > 200) this.history.shift();
    }
    this.histPos = -1;
    this.mode = { kind: 'busy' };
    void this.runCommand(text);
  }

  private async runCommand(text: string): Promise<void> {
    let r: RunResult;
    try {
      r = await this.session.run(text, {
        answer: (opts) =>
          new Promise<string>((resolve, reject) => {
            if (this.closed) return reject(new Cancelled());
            this.line = '';
            this.cursor = 0;
            this.setMode({ kind: 'answer', opts, resolve, reject });
          }),
        pager: () =>
          new Promise((resolve) => {
            if (this.closed) return resolve('quit');
            this.setMode({ kind: 'pager', resolve });
          }),
      });
    } catch {
      // the core reports command failures itself; this is a fault in a front-end path
      r = { status: 1, ended: false };
    }
    if (this.closed) return;
    if (r.ended) return this.end(undefined, true);
    await this.drained();
    if (this.closed) return;
    this.prompt();
    this.pump();
  }
}

/**
 * Line mode: exec requests (`ssh host 'show itl'`) and shells without a PTY. Commands come from
 * the exec string or from stdin; answers to questions are the next stdin lines. Nothing is
 * echoed except answers in exec mode, so a transcript still shows what was answered.
 */
export class LineShell extends FrontEnd {
  private q = new LineQueue();
  private partial = '';
  private lastCR = false;
  private lines = 0;
  private running = false;
  private pendingAnswer = false;

  /** Runs the commands (or, without any, stdin lines with banner and prompts); returns the status. */
  async start(commands?: string[]): Promise<number> {
    const exec = commands !== undefined;
    let skipEcho = false;
    this.off = this.session.on((text, kind) => {
      if (kind === 'pager') return;
      if (kind === 'echo') {
        // the first echo of a run is the command line itself
        if (skipEcho || !exec) return void (skipEcho = false);
      }
      this.write(text);
    });
    this.ch.on('data', (d: Buffer) => this.input(d));
    this.ch.on('end', () => this.eof());
    this.touch();
    let failed = false;
    const io: SessionIO = {
      answer: async () => {
        this.pendingAnswer = true;
        const a = await this.q.next();
        this.pendingAnswer = false;
        if (a === undefined) throw new Cancelled();
        return a;
      },
    };
    try {
      if (!exec) await this.session.banner();
      for (let i = 0; !this.closed; i++) {
        let line: string | undefined;
        if (exec) line = commands[i];
        else {
          this.session.showPrompt();
          line = await this.q.next();
        }
        if (line === undefined) break;
        if (exec && !line.trim()) continue;
        this.running = true;
        skipEcho = true;
        const r = await this.session.run(line, io);
        this.running = false;
        if (r.status !== 0) failed = true;
        if (r.ended) break;
        await this.drained();
      }
    } catch {
      failed = true;
    }
    const status = failed ? 1 : 0;
    this.end(undefined, true, status);
    return status;
  }

  protected isBusy(): boolean {
    return this.running && !this.pendingAnswer;
  }

  protected cancelPending(): void {
    this.q.close();
  }

  private input(d: Buffer): void {
    if (this.closed) return;
    this.touch();
    const s = d.toString('utf8');
    for (const c of s) {
      if (c === '\n' && this.lastCR) {
        this.lastCR = false;
        continue;
      }
      this.lastCR = c === '\r';
      if (c === '\r' || c === '\n') {
        // a flood of lines is not buffered without end
        if (++this.lines <= MAX_LINES) this.q.push(this.partial);
        this.partial = '';
      } else if (this.partial.length < MAX_LINE) this.partial += c;
    }
  }

  private eof(): void {
    if (this.partial) this.q.push(this.partial);
    this.partial = '';
    this.q.close();
  }
}
