// The consoles the owner of a lab runs for attached windows: the SSH PTY shell for a window on a
// terminal, script mode for piped input and one command, each on the owner's lab, so every change
// is written by the one process that holds the lock.
import type { Connection, PseudoTtyInfo, ServerChannel } from 'ssh2';
import type { Lab } from '../../../state/cluster/lab.js';
import { CliSession } from '../../console/admin-console.js';
import type { ConsoleCore } from '../../console/core.js';
import { LabConsole } from '../../console/lab-console.js';
import { queueFrom, runScript } from '../script/script.js';
import type { FrontEnd } from '../ssh/front-end.js';
import { InteractiveShell } from '../ssh/interactive-shell.js';
import { oneShot } from './one-shot.js';
import { parseRequest, type AttachRequest } from './protocol.js';

/** Channels one attached window may open on its connection (it uses one). */
const MAX_CHANNELS = 4;

/** What the owner tracks of a running attached session, to end it when the owner closes. */
export interface AttachedSession {
  fe?: FrontEnd;
  channel: ServerChannel;
}

function clampWidth(cols: number | undefined): number {
  return cols !== undefined && Number.isFinite(cols) && cols >= 20 ? Math.min(cols, 1000) : 80;
}

function clampHeight(rows: number | undefined): number | undefined {
  return rows !== undefined && Number.isFinite(rows) && rows > 0 ? Math.min(rows, 10000) : undefined;
}

/** The console a request names; a node that does not exist is a one-line error. */
function makeConsole(lab: Lab, req: AttachRequest, width: number, height: number | undefined): ConsoleCore | string {
  const pace = req.pace ?? 'fast';
  if (req.console === 'lab') return new LabConsole({ lab, width, height, pace });
  const node = req.node === undefined ? lab.publisher() : lab.node(req.node);
  if (!node) return `no node '${req.node}' in this lab (nodes: ${lab.nodes.map((n) => n.name).join(', ')})`;
  return new CliSession({ lab, node, width, height, pace });
}

function finish(ch: ServerChannel, status: number): void {
  try {
    ch.exit(status);
    ch.end();
  } catch {
    // the window went away first
  }
}

/** Serves the session channels of one logged-in attached window. */
export function serveAttached(client: Connection, lab: Lab, sessions: Set<AttachedSession>): void {
  let channels = 0;
  client.on('session', (accept, reject) => {
    if (channels >= MAX_CHANNELS) return void reject?.();
    channels++;
    const session = accept();
    let pty: PseudoTtyInfo | undefined;
    let con: ConsoleCore | undefined;
    session.on('pty', (ok, _no, info) => {
      pty = info;
      ok?.();
    });
    session.on('window-change', (ok, _no, info) => {
      if (pty) Object.assign(pty, { cols: info.cols, rows: info.rows });
      if (con) {
        con.width = clampWidth(info.cols);
        con.height = clampHeight(info.rows);
      }
      ok?.();
    });
    session.on('shell', (_ok, no) => no?.());
    session.on('exec', (ok, no, info) => {
      const req = parseRequest(info.command);
      if (!req || (req.mode === 'repl' && !pty)) return void no?.();
      const ch = ok?.();
      if (!ch) return;
      const entry: AttachedSession = { channel: ch };
      sessions.add(entry);
      ch.once('close', () => sessions.delete(entry));
      const width = clampWidth(req.mode === 'repl' ? pty?.cols : req.width);
      const height = req.mode === 'repl' ? clampHeight(pty?.rows) : undefined;
      const made = makeConsole(lab, req, width, height);
      if (typeof made === 'string') {
        ch.stderr.write(`cucm-sim: ${made}\n`);
        return finish(ch, 2);
      }
      con = made;
      void run(con, ch, req, entry).then(
        (status) => status !== undefined && finish(ch, status),
        () => finish(ch, 1),
      );
    });
  });
}

/** Runs the session; returns the exit status, or undefined when the front end ended the channel. */
async function run(con: ConsoleCore, ch: ServerChannel, req: AttachRequest, entry: AttachedSession): Promise<number | undefined> {
  if (req.mode === 'repl') {
    // no idle timeout: a local terminal window, as the REPL it stands in for
    const fe = new InteractiveShell(con, ch, { idleMinutes: 0, onEnd: () => {} });
    entry.fe = fe;
    await fe.start();
    return undefined;
  }
  if (req.mode === 'one') return oneShot(con, req.command!, { force: !!req.force, input: ch, write: (t) => ch.write(t) });
  return runScript(con, queueFrom(ch), ch, { banner: req.banner });
}
