// A real terminal for tests: a tmux pane of a given size on a private server (its own socket),
// driven with send-keys and read with capture-pane, so assertions are on the screen a user sees.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { requireTool } from './prerequisites.js';
import { waitFor } from './helpers.js';

let serial = 0;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class TmuxPane {
  /** unique per test process and pane: parallel test files never share a tmux server */
  readonly socket = `cucm-sim-test-${process.pid}-${++serial}`;
  private readonly tmux: string;

  constructor() {
    this.tmux = requireTool('tmux', 'tmux');
  }

  private run(...args: string[]): string {
    const r = spawnSync(this.tmux, ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${(r.stderr || '').trim()}`);
    return r.stdout;
  }

  /**
   * Starts `argv` in a pane of `cols` x `rows` with `env` added. The pane stays once the program
   * has ended, so what it left on the screen can still be read.
   */
  start(argv: string[], opts: { cols: number; rows: number; env?: Record<string, string>; cwd?: string }): void {
    // an idle pane first: the option that keeps a dead pane is set before the program can end
    this.run('new-session', '-d', '-x', String(opts.cols), '-y', String(opts.rows), ...(opts.cwd ? ['-c', opts.cwd] : []), 'cat');
    this.run('set-option', '-g', 'remain-on-exit', 'on');
    this.run('set-option', '-g', 'status', 'off');
    const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${quote(v)}`);
    this.run('respawn-pane', '-k', ['exec', 'env', ...env, ...argv.map(quote)].join(' '));
  }

  /** Keys by tmux name (Enter, Left, C-u, F2, BSpace ...). */
  keys(...names: string[]): void {
    this.run('send-keys', ...names);
  }

  /** Text sent as it is, in one write: a paste. */
  paste(text: string): void {
    this.run('send-keys', '-l', text);
  }

  /** The visible screen (or, with `history`, the scrollback too), one string per row, trailing spaces removed. */
  screen(history = false): string[] {
    const out = this.run('capture-pane', '-p', ...(history ? ['-S', '-'] : [])).replace(/\n$/, '');
    return out.split('\n').map((l) => l.replace(/\s+$/, ''));
  }

  cursor(): { x: number; y: number } {
    const [x, y] = this.run('display-message', '-p', '#{cursor_x},#{cursor_y}').trim().split(',').map(Number);
    return { x, y };
  }

  /** undefined while the program runs, else its exit status */
  exitStatus(): number | undefined {
    const [dead, status] = this.run('display-message', '-p', '#{pane_dead},#{pane_dead_status}').trim().split(',');
    return dead === '1' ? Number(status) : undefined;
  }

  resize(cols: number, rows: number): void {
    this.run('resize-window', '-x', String(cols), '-y', String(rows));
  }

  /** Waits until the screen satisfies `cond`; the error shows the screen. */
  async waitScreen(what: string, cond: (rows: string[]) => boolean, ms = 30_000): Promise<string[]> {
    let rows: string[] = [];
    try {
      await waitFor(what, () => cond((rows = this.screen())), ms, 50);
    } catch (e) {
      throw new Error(`${(e as Error).message}; the screen:\n${rows.join('\n')}`);
    }
    return rows;
  }

  async waitExit(ms = 30_000): Promise<number> {
    await this.waitScreen('the program to end', () => this.exitStatus() !== undefined, ms);
    return this.exitStatus()!;
  }

  /** Ends the tmux server and waits until the program in the pane is gone (it may hold a lab). */
  async kill(): Promise<void> {
    const pid = Number(spawnSync(this.tmux, ['-L', this.socket, 'display-message', '-p', '#{pane_pid}'], { encoding: 'utf8' }).stdout.trim());
    spawnSync(this.tmux, ['-L', this.socket, 'kill-server']);
    // the socket file outlives its server
    rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.socket), { force: true });
    if (!pid) return;
    await waitFor(`pid ${pid} to end`, () => !alive(pid), 15_000, 50);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Rows of the screen that hold `text`, by index. */
export function rowsWith(rows: string[], text: string): number[] {
  return rows.flatMap((r, i) => (r.includes(text) ? [i] : []));
}
