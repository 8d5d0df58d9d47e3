// The session channels of a logged-in SSH client: PTY requests and window changes, and a shell or
// exec request turned into a console with the front end that suits it.
//
// Real CUCM refuses exec requests (clients such as cisco-cucm-mcp open a shell for that reason), and
// so does this server unless it was started with allowExec: then `ssh host 'show itl'` runs the
// command and returns its exit status.
import type { Connection, PseudoTtyInfo, ServerChannel } from 'ssh2';
import type { Lab } from '../../../state/cluster/lab.js';
import type { TransferClient } from '../../console/command.js';
import { CliSession } from '../../console/admin-console.js';
import { existsSync } from 'node:fs';
import { recordSession } from '../../recording/recorder.js';
import type { LoginTarget, Role } from './auth.js';
import type { FrontEnd, ShellSession } from './front-end.js';
import { InteractiveShell } from './interactive-shell.js';
import { LineShell } from './line-shell.js';
import { MAX_CHANNELS_PER_CONNECTION } from './limits.js';

/** how long a connection may stay open after its session has ended */
const LINGER_MS = 10_000;

/** A session being served, for the node's power state and the server's shutdown. */
export interface ShellEntry {
  node: string;
  /** the lab the session works on */
  lab?: Lab;
  fe: FrontEnd;
  role?: Role;
  /** account@source, for the per-user cap */
  user?: string;
}

/** What the channels of a connection need from their server. */
export interface ChannelHost {
  pace?: 'fast' | 'realistic';
  transfer?: TransferClient;
  record?: string;
  redact?: string;
  maxSessions: number;
  /** why a new session may not open (the server's caps), or undefined */
  admit?(lab: Lab, node: string, user: string | undefined): string | undefined;
  /** run exec requests instead of refusing them as CUCM does */
  allowExec?: boolean;
  /** how long a login may go without opening a session */
  authTimeoutMs: number;
  shells: Set<ShellEntry>;
  /** output held for a client that does not read, and how long it may stay stalled */
  maxOutputBuffer?: number;
  stalledTimeoutMs?: number;
  closing(): boolean;
  /** the number of the next recording file */
  nextRecording(): number;
}

/** The recording file of the n-th session on a node, derived from the --record name. */
export function sessionRecordFile(record: string, who: string, n: number): string {
  const m = record.match(/^(.*?)(\.[A-Za-z0-9]+)?$/)!;
  return `${m[1]}-${who}-${n}${m[2] ?? '.txt'}`;
}

/** The next recording file that does not exist yet: a restarted server never replaces earlier ones. */
function freshRecordFile(record: string, who: string, next: () => number): string {
  for (;;) {
    const f = sessionRecordFile(record, who, next());
    if (!existsSync(f)) return f;
  }
}

/** The lab console, loaded only for `lab` logins. */
async function labConsole(lab: Lab, width: number, height: number | undefined, pace: ChannelHost['pace'], exec: boolean): Promise<ShellSession> {
  const { LabConsole } = await import('../../console/lab-console.js');
  return new LabConsole({ lab, user: 'lab', width, height, pace, exec }) as ShellSession;
}

/** Serves the session channels a logged-in client opens on a node of the lab its login reached. */
export function serveSessions(client: Connection, host: ChannelHost, target: LoginTarget, nodeName: string, user?: string, account = ''): void {
  const { lab, role } = target;
  let channels = 0;
  // a login that never opens a session holds a connection for nothing
  const unused = setTimeout(() => client.end(), host.authTimeoutMs);
  client.on('close', () => clearTimeout(unused));
  client.on('session', (accept, reject) => {
    clearTimeout(unused);
    // OpenSSH's MaxSessions: one connection cannot multiply itself into unbounded channels
    if (channels >= MAX_CHANNELS_PER_CONNECTION) return void reject?.();
    channels++;
    const session = accept();
    session.once('close', () => channels--);
    let pty: PseudoTtyInfo | undefined;
    let fe: InteractiveShell | LineShell | undefined;
    let cli: ShellSession | undefined;
    session.on('pty', (ok, _no, info) => {
      pty = info;
      ok?.();
    });
    session.on('window-change', (ok, _no, info) => {
      if (pty) Object.assign(pty, { cols: info.cols, rows: info.rows });
      if (cli) size(cli, info.cols, info.rows);
      ok?.();
    });
    session.on('env', (ok) => ok?.());
    const open = async (channel: ServerChannel, commands?: string[]) => {
      const node = lab.node(nodeName);
      // the lab console is on no node: only an admin: session needs its node
      if (host.closing() || (!node && role !== 'lab')) return refuse(channel, '');
      const full = host.admit ? host.admit(lab, nodeName, user) : host.shells.size >= host.maxSessions ? 'Too many sessions are open on this server; try again later.\n' : undefined;
      if (full) return refuse(channel, full);
      const width = pty ? clampWidth(pty.cols) : 80;
      const height = pty ? clampHeight(pty.rows) : undefined;
      try {
        cli =
          role === 'lab'
            ? target.console
              ? target.console({ width, height, exec: commands !== undefined })
              : await labConsole(lab, width, height, host.pace, commands !== undefined)
            : new CliSession({ lab, node: node!, width, height, pace: host.pace, transfer: host.transfer });
      } catch {
        cli = undefined;
      }
      if (!cli) return refuse(channel, 'The lab console is not available in this build of cucm-sim.\n');
      const recorder = host.record
        ? recordSession(cli, lab, {
            file: freshRecordFile(host.record, role === 'lab' ? 'lab' : nodeName, () => host.nextRecording()),
            redact: host.redact,
            width,
            height,
            prompt: role === 'lab' ? 'lab>' : 'admin:',
          })
        : undefined;
      let closed: (() => void) | undefined;
      const options = {
        idleMinutes: lab.state.cli.sessionTimeoutMin,
        maxOutputBuffer: host.maxOutputBuffer,
        stalledTimeoutMs: host.stalledTimeoutMs,
        drop: () => client.end(),
        onEnd: () => {
          recorder?.close();
          closed?.();
          host.shells.delete(entry);
          // The client closes the connection once it has shown the output; a disconnect sent
          // now would make OpenSSH drop that output. One that lingers is ended later.
          setTimeout(() => client.end(), LINGER_MS).unref();
        },
      };
      // a PTY shell gets the line editor; exec requests and PTY-less shells read lines
      fe = pty && !commands ? new InteractiveShell(cli, channel, options) : new LineShell(cli, channel, options);
      const entry = { node: nodeName, lab, fe, role, user };
      host.shells.add(entry);
      closed = target.opened?.({ user: account, node: nodeName, role, session: cli, fe, width, height });
      await (fe instanceof InteractiveShell ? fe.start() : fe.start(commands));
    };
    session.on('shell', (ok) => {
      const ch = ok?.();
      if (ch) void open(ch).catch(() => fe?.end(undefined, true, 1));
    });
    session.on('exec', (ok, no, info) => {
      // a refused channel request: OpenSSH prints "exec request failed on channel 0"
      if (!host.allowExec) return void no?.();
      const ch = ok?.();
      if (ch) void open(ch, info.command.split(/\r?\n/)).catch(() => fe?.end(undefined, true, 1));
    });
  });
}

function refuse(channel: ServerChannel, text: string): void {
  // answered a moment after the channel opens: a client learns of the channel and of its
  // end in separate steps, and an exit status sent in the same breath can reach it too early
  setTimeout(() => {
    try {
      if (text) channel.write(text.replace(/\n/g, '\r\n'));
      channel.exit(1);
      channel.end();
    } catch {
      // already closed
    }
  }, 20);
}

function clampWidth(cols: number): number {
  return Number.isFinite(cols) && cols >= 20 ? Math.min(cols, 1000) : 80;
}

/** 0 rows (unknown) means no paging, as with a terminal whose size is not known. */
function clampHeight(rows: number): number | undefined {
  return Number.isFinite(rows) && rows > 0 ? Math.min(rows, 10000) : undefined;
}

function size(s: ShellSession, cols: number, rows: number): void {
  s.width = clampWidth(cols);
  s.height = clampHeight(rows);
}
