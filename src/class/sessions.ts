// The trainees' SSH sessions: how many each has open, every session recorded into the class
// folder (.txt and .cast, 0600), the live transcript passed on as it happens, and wall messages.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../../state/cluster/lab.js';
import { ensurePrivateDir } from '../../state/store.js';
import { stripControls } from '../../state/text.js';
import type { OutputKind } from '../console/io.js';
import { recordSession, type Recorder } from '../recording/recorder.js';

/** A session as the class sees it: its events, and the way a wall message reaches its terminal. */
/** how long a trainee session's recording gathers writes (ms) */
const RECORD_FLUSH_MS = 200;

export interface LiveSession {
  node: string;
  /** a lab console session ('lab') or the admin: CLI */
  role?: string;
  session: { on(fn: (text: string, kind: OutputKind) => void): () => void };
  fe: { notice(text: string): void };
  width: number;
  height?: number;
}

interface Open {
  live: LiveSession;
  text: Recorder;
  cast: Recorder;
  file: string;
  /** the session's last line is not ended yet (a prompt): the recorder's text() ends it anyway */
  lineOpen: boolean;
}

const RECORDING = /^(\d{4,})-[A-Za-z0-9-]+\.txt$/;

/** The wall text: who sent it, from where, when (the lab's clock in its time zone), and the line. */
export function wallText(lab: Lab, node: string, text: string): string {
  const d = lab.now();
  let stamp: string;
  try {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone: lab.state.timezone, weekday: 'short', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', year: 'numeric', hourCycle: 'h23' })
        .formatToParts(d)
        .map((x) => [x.type, x.value]),
    );
    stamp = `${p.weekday} ${p.month} ${p.day.padStart(2)} ${p.hour}:${p.minute}:${p.second} ${p.year}`;
  } catch {
    stamp = d.toUTCString();
  }
  // one line, as wall takes it from a command line: no controls, no line breaks
  const line = stripControls(text.replace(/[\r\n\t]+/g, ' ')).trim().slice(0, 4096);
  return `\nBroadcast message from lab@${node} (pts/0) (${stamp}):\n\n${line}\n\n`;
}

export class SessionLog {
  private readonly open = new Map<string, Set<Open>>();
  private readonly next = new Map<string, number>();

  constructor(
    private readonly dir: string,
    private readonly hooks: { activity(name: string): void; transcript(name: string, text: string): void },
  ) {}

  online(name: string): number {
    return this.open.get(name)?.size ?? 0;
  }

  private folder(name: string): string {
    const d = join(this.dir, name);
    ensurePrivateDir(d);
    return d;
  }

  /** The number of the trainee's next recording: one more than any kept (a restart goes on counting). */
  private number(name: string): number {
    let n = this.next.get(name);
    if (n === undefined) {
      n = 0;
      for (const f of readdirSync(this.folder(name))) {
        const m = RECORDING.exec(f);
        if (m) n = Math.max(n, Number(m[1]));
      }
    }
    this.next.set(name, ++n);
    return n;
  }

  /** Starts recording a trainee's session; what it returns ends it. */
  opened(name: string, lab: Lab, live: LiveSession): () => void {
    const base = join(this.folder(name), `${String(this.number(name)).padStart(4, '0')}-${live.node}`);
    const size = { width: live.width, height: live.height ?? 24 };
    const prompt = live.role === 'lab' ? 'lab>' : undefined;
    // a class records every session twice: writes are gathered for a moment rather than made per chunk
    const text = recordSession(live.session, lab, { file: `${base}.txt`, ...size, prompt, flushMs: RECORD_FLUSH_MS });
    const cast = recordSession(live.session, lab, { file: `${base}.cast`, ...size, title: `${name}@${live.node}`, prompt, flushMs: RECORD_FLUSH_MS });
    const entry: Open = { live, text, cast, file: `${base}.txt`, lineOpen: false };
    let set = this.open.get(name);
    if (!set) this.open.set(name, (set = new Set()));
    set.add(entry);
    const off = live.session.on((chunk, kind) => {
      if (kind === 'pager' || kind === 'pager-end') return;
      if (kind === 'echo') this.hooks.activity(name);
      const clean = stripControls(chunk.replace(/\r/g, ''), '\n\t');
      if (!clean) return;
      entry.lineOpen = !clean.endsWith('\n');
      this.hooks.transcript(name, clean);
    });
    this.hooks.activity(name);
    return () => {
      off();
      text.close();
      cast.close();
      set.delete(entry);
      this.hooks.activity(name);
    };
  }

  /** Writes the wall message to each session of the trainees named; the number of sessions reached. */
  wall(names: string[], text: string, labOf: (name: string) => Lab | undefined): number {
    let n = 0;
    for (const name of names) {
      const lab = labOf(name);
      if (!lab) continue;
      for (const o of this.open.get(name) ?? []) {
        const msg = wallText(lab, o.live.node, text);
        // recorded as the terminal shows it: the message, then the prompt drawn again by the shell
        o.text.event(msg, 'out');
        o.cast.event(msg, 'out');
        this.hooks.transcript(name, msg);
        o.live.fe.notice(msg);
        n++;
      }
    }
    return n;
  }

  /** Every recorded session of a trainee, oldest first, the open ones as far as they have got. */
  transcript(name: string): string {
    const d = join(this.dir, name);
    if (!existsSync(d)) return '';
    const live = new Map([...(this.open.get(name) ?? [])].map((o) => [o.file, o]));
    const files = readdirSync(d)
      .filter((f) => RECORDING.test(f))
      .sort();
    return files
      .map((f, i) => {
        const path = join(d, f);
        const o = live.get(path);
        if (!o) return readFileSync(path, 'utf8');
        const text = o.text.text();
        // the newest session goes on where the trainee's terminal is: after the prompt, on its line
        // (the live output that follows starts with the command typed there)
        return i === files.length - 1 && o.lineOpen && text.endsWith('\n') ? text.slice(0, -1) : text;
      })
      .join('');
  }

  close(): void {
    for (const set of this.open.values()) {
      for (const o of set) {
        o.text.close();
        o.cast.close();
      }
    }
    this.open.clear();
  }
}
