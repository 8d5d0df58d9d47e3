// State integrity: a failed change rolls back only itself and every session keeps the live state;
// the lab lock has exactly one owner even when processes race for a stale lock; lab files are
// private (0700 folders, 0600 files); a service left mid-restart by a crash is settled on open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Lab } from '../state/cluster/lab.js';
import { openOrCreateLab } from '../state/labs.js';
import { Store, writeFileAtomic } from '../state/store.js';
import { CliSession } from '../src/console/admin-console.js';
import { drive } from '../src/console/drive.js';
import { Recorder } from '../src/recording/recorder.js';
import { localTransfer } from '../src/net/transfer.js';
import type { CommandContext } from '../src/console/command.js';
import { rebuildLab } from '../state/ops/rebuild.js';
import { cleanup, seededLab, seededRandom, tempDir, waitFor } from './helpers.js';
import { requireDist } from './prerequisites.js';

const ROOT = resolve(import.meta.dirname, '..');
const mode = (p: string) => statSync(p).mode & 0o777;

// ---------------------------------------------------------------- rollback keeps identity

describe('a failed change rolls back only itself', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await seededLab({ seed: 21 });
  });
  afterAll(() => cleanup(lab));

  it('no successful change is lost, whatever order the sessions step in (seeded interleavings)', async () => {
    // changes reach the disk a few milliseconds later; flush() writes them at once
    const onDisk = () => (lab.flush(), JSON.parse(readFileSync(join(lab.store.dir, 'lab.json'), 'utf8')));
    const pubName = lab.publisher().name;
    for (let round = 0; round < 40; round++) {
      const rnd = seededRandom(1000 + round);
      const ops = Array.from({ length: 4 }, (_, i) => ({
        key: `Test-trust/r${round}-op${i}.pem`,
        fails: rnd() < 0.4,
        phase: 'new' as 'new' | 'holding' | 'queued' | 'done',
        node: undefined as ReturnType<Lab['publisher']> | undefined,
        gate: undefined as (() => void) | undefined,
        result: undefined as 'ok' | 'failed' | undefined,
      }));
      const runs: Promise<void>[] = [];
      const gate = (op: (typeof ops)[number]) => new Promise<void>((r) => (op.gate = r));
      // steps the scheduler can take: a session picks up its node object (as a session holds it
      // between commands), starts its change, or lets a change at a waiting point go on
      for (;;) {
        const enabled: Array<() => void> = [];
        for (const op of ops) {
          if (op.phase === 'new') enabled.push(() => {
            op.node = lab.node(pubName)!;
            op.phase = 'holding';
          });
          else if (op.phase === 'holding') enabled.push(() => {
            op.phase = 'queued';
            runs.push(
              lab
                .mutate(async () => {
                  await gate(op);
                  op.node!.trust[op.key] = 'x';
                  await gate(op);
                  if (op.fails) throw new Error('refused');
                })
                .then(
                  () => void (op.result = 'ok'),
                  () => void (op.result = 'failed'),
                )
                .finally(() => (op.phase = 'done')),
            );
          });
          if (op.gate) {
            const g = op.gate;
            enabled.push(() => {
              op.gate = undefined;
              g();
            });
          }
        }
        if (!enabled.length) {
          if (ops.every((o) => o.phase === 'done')) break;
          await new Promise((r) => setImmediate(r)); // a change is on its way to its next waiting point
          continue;
        }
        enabled[Math.floor(rnd() * enabled.length)]!();
        await new Promise((r) => setImmediate(r));
      }
      await Promise.all(runs);
      const live = lab.node(pubName)!;
      const disk = onDisk().nodes.find((n: { name: string }) => n.name === pubName);
      for (const op of ops) {
        expect(op.result, `round ${round}`).toBe(op.fails ? 'failed' : 'ok');
        expect(op.key in live.trust, `round ${round} ${op.key} in memory`).toBe(!op.fails);
        expect(op.key in disk.trust, `round ${round} ${op.key} on disk`).toBe(!op.fails);
        // the object the session held is the live one
        expect(op.node).toBe(live);
      }
    }
  }, 60_000);

  it('a change made from inside a change joins it (no deadlock) and rolls back with it', async () => {
    const pub = lab.publisher();
    await lab.mutate(async () => {
      await lab.mutate(() => void (pub.trust['Test-trust/nested-ok.pem'] = 'x'));
    });
    expect(pub.trust['Test-trust/nested-ok.pem']).toBe('x');
    await expect(
      lab.mutate(async () => {
        await lab.mutate(() => void (pub.trust['Test-trust/nested-no.pem'] = 'x'));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect('Test-trust/nested-no.pem' in pub.trust).toBe(false);
    lab.flush();
    const disk = JSON.parse(readFileSync(join(lab.store.dir, 'lab.json'), 'utf8'));
    expect(disk.nodes.find((n: { name: string }) => n.name === pub.name).trust['Test-trust/nested-ok.pem']).toBe('x');
  });

  it('a session that held its node through another session’s failed change still changes the live lab', async () => {
    const sub = lab.nodes.find((n) => !n.publisher) ?? lab.publisher();
    const a = new CliSession({ lab, node: sub });
    const held = a.node;
    await expect(
      lab.mutate(() => {
        lab.node(sub.name)!.up = false;
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(a.node).toBe(held);
    expect(lab.node(sub.name)!.up).toBe(true);
    const r = await drive(a, 'utils service stop Cisco Tomcat');
    expect(r.status).toBe(0);
    lab.flush();
    const disk = JSON.parse(readFileSync(join(lab.store.dir, 'lab.json'), 'utf8'));
    const svc = disk.nodes.find((n: { name: string }) => n.name === sub.name).services.find((s: { name: string }) => s.name === 'Cisco Tomcat');
    expect(svc.status).toBe('STOPPED');
  });
});

describe('a lab rebuilt in place (reset-lab) while a session waits', () => {
  it('the waiting command changes the rebuilt lab, and the session keeps to the live node', async () => {
    const lab = await seededLab({ seed: 22, topology: { nodes: 2 } });
    try {
      const sub = lab.nodes.find((n) => !n.publisher)!;
      const a = new CliSession({ lab, node: sub });
      let go!: () => void;
      const held = new Promise<void>((r) => (go = r));
      const rebuilt = lab.mutate(async () => {
        await held;
        await rebuildLab(lab);
      });
      const stop = drive(a, 'utils service stop Cisco Tomcat'); // waits for the rebuild to finish
      go();
      await rebuilt;
      expect((await stop).status).toBe(0);
      expect(a.node).toBe(lab.node(sub.name));
      lab.flush();
    const disk = JSON.parse(readFileSync(join(lab.store.dir, 'lab.json'), 'utf8'));
      const svc = disk.nodes.find((n: { name: string }) => n.name === sub.name).services.find((s: { name: string }) => s.name === 'Cisco Tomcat');
      expect(svc.status).toBe('STOPPED');
    } finally {
      cleanup(lab);
    }
  });
});

// ---------------------------------------------------------------- the lab lock

describe('the lab lock', () => {
  it('is taken over from a dead owner and from a reused pid, and refused for a live owner', () => {
    const dir = tempDir();
    const write = (o: object) => writeFileSync(join(dir, 'lock.json'), JSON.stringify(o));
    const base = { host: hostname(), what: 'old cucm-sim', since: '2025-01-06T09:00:00Z' };
    const store = new Store(dir);
    // this very pid, but a process started at another time: the pid was reused
    write({ ...base, pid: process.pid, start: '1' });
    store.lock('test');
    expect(JSON.parse(readFileSync(join(dir, 'lock.json'), 'utf8')).what).toBe('test');
    store.unlock();
    expect(existsSync(join(dir, 'lock.json'))).toBe(false);
    // a live process with its real start time owns the lab
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    try {
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
      write({ ...base, pid: child.pid, start });
      expect(() => store.lock('test')).toThrow(new RegExp(`in use by process ${child.pid} \\(old cucm-sim\\)`));
    } finally {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exactly one of several processes racing for a stale lock wins, every round', async () => {
    requireDist('state/lock.js');
    const lockModule = pathToFileURL(join(ROOT, 'dist', 'state', 'lock.js')).href;
    const racer = `
      const { acquireLock } = await import(${JSON.stringify(lockModule)});
      const rl = (await import('node:readline')).createInterface({ input: process.stdin });
      rl.on('line', async (line) => {
        const [, dir, spins] = line.split(' ');
        for (let i = 0; i < Number(spins); i++) await new Promise((r) => setImmediate(r));
        try {
          acquireLock(dir, 'racer');
          console.log('won ' + dir);
        } catch (e) {
          console.log((/in use/.test(e.message) ? 'busy ' : 'error ' + e.message + ' ') + dir);
        }
      });
      console.log('ready');
    `;
    // a pid that is certainly gone
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    const children: ChildProcessWithoutNullStreams[] = [];
    const lines: string[] = [];
    const base = tempDir();
    try {
      for (let i = 0; i < 4; i++) {
        const c = spawn(process.execPath, ['--input-type=module', '-e', racer]);
        let buf = '';
        c.stdout.on('data', (d) => {
          buf += d;
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            lines.push(buf.slice(0, nl));
            buf = buf.slice(nl + 1);
          }
        });
        children.push(c);
      }
      await waitFor('the racers to start', () => lines.filter((l) => l === 'ready').length === children.length, 30_000);
      const rnd = seededRandom(77);
      const stale = [
        JSON.stringify({ pid: deadPid, host: hostname(), what: 'dead', since: '2025-01-06T09:00:00Z' }),
        JSON.stringify({ pid: process.pid, start: '1', host: hostname(), what: 'reused pid', since: '2025-01-06T09:00:00Z', nonce: 'x' }),
        '\u0000garbage',
      ];
      const ROUNDS = 30;
      for (let round = 0; round < ROUNDS; round++) {
        const dir = join(base, `r${round}`);
        mkdirSync(dir);
        writeFileSync(join(dir, 'lock.json'), stale[round % stale.length]!);
        for (const c of children) c.stdin.write(`go ${dir} ${Math.floor(rnd() * 4)}\n`);
        await waitFor(`round ${round} answers`, () => lines.filter((l) => l.endsWith(' ' + dir)).length === children.length, 30_000);
        const answers = lines.filter((l) => l.endsWith(' ' + dir)).map((l) => l.split(' ')[0]);
        expect(answers.filter((a) => a === 'won'), `round ${round}: ${answers.join(',')}`).toHaveLength(1);
        expect(answers.filter((a) => a === 'busy'), `round ${round}`).toHaveLength(children.length - 1);
        const owner = JSON.parse(readFileSync(join(dir, 'lock.json'), 'utf8'));
        expect(children.map((c) => c.pid)).toContain(owner.pid);
        expect(mode(join(dir, 'lock.json'))).toBe(0o600);
        expect(readdirSync(dir).filter((f) => f !== 'lock.json')).toEqual([]);
      }
    } finally {
      for (const c of children) c.kill();
      rmSync(base, { recursive: true, force: true });
    }
  }, 120_000);
});

// ---------------------------------------------------------------- private files

function walk(dir: string, out: { dirs: string[]; files: string[] } = { dirs: [dir], files: [] }) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      out.dirs.push(p);
      walk(p, out);
    } else out.files.push(p);
  }
  return out;
}

describe('lab files are private', () => {
  it('a new lab: data folder, labs and node folders 0700, every file 0600, after changes too', async () => {
    const top = tempDir();
    const data = join(top, 'data');
    const { lab } = await openOrCreateLab({ dataDir: data, seed: 3, clock: '2025-01-06T09:00:00Z' });
    try {
      const r = await drive(new CliSession({ lab, node: lab.publisher() }), 'utils service restart Cisco Tftp');
      expect(r.status).toBe(0);
      const { dirs, files } = walk(data);
      expect(dirs.length).toBeGreaterThanOrEqual(5);
      expect(files).toContain(join(data, 'labs', 'default', 'lab.json'));
      expect(files.some((f) => f.endsWith('ITLFile.tlv'))).toBe(true);
      for (const d of dirs) expect(mode(d).toString(8), d).toBe('700');
      for (const f of files) expect(mode(f).toString(8), f).toBe('600');
    } finally {
      lab.close();
      rmSync(top, { recursive: true, force: true });
    }
  });

  it('an existing lab with open permissions is closed up when it is opened', async () => {
    const lab = await seededLab({ seed: 4 });
    const dir = lab.store.dir;
    lab.close();
    for (const d of walk(dir).dirs) chmodSync(d, 0o755);
    for (const f of walk(dir).files) chmodSync(f, 0o644);
    const again = Lab.open(dir);
    try {
      const { dirs, files } = walk(dir);
      for (const d of dirs) expect(mode(d).toString(8), d).toBe('700');
      for (const f of files) expect(mode(f).toString(8), f).toBe('600');
    } finally {
      cleanup(again);
    }
  });

  it('files written by atomic rename, journals and temp files are 0600', () => {
    const dir = tempDir();
    const file = join(dir, 'sub', 'f.txt');
    writeFileSync(join(dir, 'loose.txt'), 'x', { mode: 0o644 });
    writeFileAtomic(join(dir, 'loose.txt'), 'y'); // replaces a 0644 file
    expect(mode(join(dir, 'loose.txt'))).toBe(0o600);
    writeFileSync(join(dir, 'left.txt.tmp-' + process.pid), 'old', { mode: 0o644 }); // a temp file left by a crash
    writeFileAtomic(join(dir, 'left.txt'), 'new');
    expect(mode(join(dir, 'left.txt'))).toBe(0o600);
    writeFileAtomic(file, 'z');
    expect(mode(join(dir, 'sub'))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    // a change set whose second path is refused stops after the journal is written: it stays on disk
    const store = new Store(dir);
    expect(() => store.commit([{ path: 'a.bin', data: Buffer.from('a') }, { path: '../outside', data: Buffer.from('b') }])).toThrow(/escapes/);
    expect(mode(join(dir, 'journal.json'))).toBe(0o600);
    expect(mode(join(dir, 'a.bin'))).toBe(0o600);
    rmSync(dir, { recursive: true, force: true });
  });

  it('recordings are 0600', () => {
    const dir = tempDir();
    const file = join(dir, 'session.txt');
    const rec = new Recorder({ file });
    rec.event('admin:', 'out');
    rec.close();
    expect(mode(file)).toBe(0o600);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a recording made over an existing 0644 file leaves it 0600', () => {
    const dir = tempDir();
    const file = join(dir, 'session.txt');
    writeFileSync(file, 'an older recording\n');
    chmodSync(file, 0o644);
    const rec = new Recorder({ file });
    rec.event('admin:', 'out');
    rec.close();
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('admin:\n'); // the old text is gone
    rmSync(dir, { recursive: true, force: true });
  });

  it('a file put to the lab folder\'s SFTP server over an existing 0644 one is 0600', async () => {
    const lab = await seededLab({ seed: 5 });
    try {
      const file = join(lab.store.dir, 'sftp', 'backup-server', 'backups', 'ITLRecovery.p12');
      mkdirSync(join(lab.store.dir, 'sftp', 'backup-server', 'backups'), { recursive: true, mode: 0o700 });
      writeFileSync(file, 'old');
      chmodSync(file, 0o644);
      const target = { host: 'backup-server', port: 22, user: 'admin', password: 'pw' };
      await localTransfer().put(target, '/backups/ITLRecovery.p12', Buffer.from('new'), { lab } as unknown as CommandContext);
      expect(mode(file)).toBe(0o600);
      expect(readFileSync(file, 'utf8')).toBe('new');
    } finally {
      cleanup(lab);
    }
  });
});

// ---------------------------------------------------------------- a crash during a restart

describe('a service left mid-restart by a crash', () => {
  it('is settled when the lab opens: started, or stopped on a node that is down', async () => {
    const lab = await seededLab({ seed: 6, topology: { nodes: 2 } });
    const dir = lab.store.dir;
    lab.close();
    const file = join(dir, 'lab.json');
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    const [pub, sub] = saved.nodes;
    const set = (node: { services: { name: string; status: string; commandedOut: boolean }[] }, name: string, status: string, commandedOut = false) => {
      const s = node.services.find((x) => x.name === name)!;
      s.status = status;
      s.commandedOut = commandedOut;
    };
    set(pub, 'Cisco Tftp', 'STARTING');
    set(pub, 'Cisco Tomcat', 'STOPPING'); // stopped for a restart
    set(pub, 'Cisco CallManager', 'STOPPING', true); // stopped on purpose
    sub.up = false;
    set(sub, 'Cisco Tftp', 'STARTING');
    writeFileSync(file, JSON.stringify(saved));

    const again = Lab.open(dir);
    try {
      const status = (node: string, name: string) => again.node(node)!.services.find((s) => s.name === name)!.status;
      expect(status(pub.name, 'Cisco Tftp')).toBe('STARTED');
      expect(status(pub.name, 'Cisco Tomcat')).toBe('STARTED');
      expect(status(pub.name, 'Cisco CallManager')).toBe('STOPPED');
      expect(status(sub.name, 'Cisco Tftp')).toBe('STOPPED');
      // written back at once, so the next open finds the same
      const disk = JSON.parse(readFileSync(file, 'utf8'));
      const statuses = disk.nodes.flatMap((n: { services: { status: string }[] }) => n.services.map((s) => s.status));
      expect(statuses.filter((s: string) => s === 'STARTING' || s === 'STOPPING')).toEqual([]);
      const r = await drive(new CliSession({ lab: again, node: again.publisher() }), 'utils service list');
      expect(r.status).toBe(0);
    } finally {
      cleanup(again);
    }
  });
});
