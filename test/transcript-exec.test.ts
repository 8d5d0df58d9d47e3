// Recordings that are not typed at a prompt: SSH exec requests (no prompt, no banner) and sessions
// whose node changes. Each must replay as a passing runbook, and the rendered transcripts (.txt and
// .cast) must show where the commands ran.
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, seededLab, tempDir, waitFor } from './helpers.js';
import { exec, LAB_PASSWORD, rig } from './ssh-harness.js';
import type { Lab } from '../state/cluster/lab.js';
import { CliSession } from '../src/console/admin-console.js';
import { drive } from '../src/console/drive.js';
import { localTransfer } from '../src/net/transfer.js';
import { Recorder } from '../src/recording/recorder.js';
import { runRunbook } from '../src/runbook/run.js';

const dirs: string[] = [];
let lab: Lab | undefined;
afterEach(() => {
  if (lab) cleanup(lab);
  lab = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = tempDir('cucm-sim-exec-rec-');
  dirs.push(d);
  return d;
}

function castOutput(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => JSON.parse(l) as [number, string, string])
    .filter((e) => e[1] === 'o')
    .map((e) => e[2])
    .join('');
}

describe('SSH exec recordings', () => {
  it('show each command after the prompt it would have had, start with the node, and replay as runbooks', async () => {
    const dir = tmp();
    const r = await rig({ allowExec: true, record: join(dir, 'exec.txt') });
    try {
      // each recording replays on a fresh lab: the change comes last
      const c = await exec(r.port(), 'phones list', undefined, { user: 'lab', password: LAB_PASSWORD });
      expect(c.code).toBe(0);
      const a = await exec(r.port('cucm-sub1'), 'show myself');
      expect(a.code).toBe(0);
      // a question answered from stdin
      const b = await exec(r.port(), 'utils ctl set-cluster mixed-mode', 'y\n');
      expect(b.code).toBe(0);
      // the client sees no prompt: only the recording adds it
      expect(a.out).not.toContain('admin:');
      const files = () => readdirSync(dir).sort();
      await waitFor('three recordings', () => files().length === 3);
      const labRec = join(dir, 'exec-lab-1.txt');
      const sub = join(dir, 'exec-cucm-sub1-2.txt');
      const pub = join(dir, 'exec-cucm-pub-3.txt');
      await waitFor('the recordings to be closed', () => [sub, pub, labRec].every((f) => readFileSync(f, 'utf8').endsWith('\n')));
      const subText = readFileSync(sub, 'utf8');
      expect(subText).toMatch(/^#! node cucm-sub1\nadmin:show myself\nMachine Name    : cucm-sub1\n/);
      const pubText = readFileSync(pub, 'utf8');
      expect(pubText).toMatch(/^admin:utils ctl set-cluster mixed-mode\nThis operation sets the cluster to Mixed mode\. Do you want to continue\? \(y\/n\):y\n/);
      expect(pubText).toContain('\nCluster set to Mixed Mode\n');
      expect(readFileSync(labRec, 'utf8')).toMatch(/^lab>phones list\n/);
      for (const f of [sub, pub, labRec]) {
        const res = await runRunbook(f);
        expect(res.error?.message, f).toBeUndefined();
        expect(res.mismatches.map((m) => m.diff).join('\n'), f).toBe('');
        expect(res.passed, f).toBe(true);
        expect(res.commands, f).toBe(1);
      }
    } finally {
      await r.stop();
    }
  }, 90_000);
});

describe('node switches in recordings', () => {
  it('one recording of sessions on several nodes writes #! node before the prompt of each switch, and replays', async () => {
    lab = await seededLab();
    const dir = tmp();
    const file = join(dir, 'moved.txt');
    const rec = new Recorder({ file, deterministic: true, startNode: lab.publisher().name });
    const pub = new CliSession({ lab, node: lab.publisher(), transfer: localTransfer() });
    const sub = new CliSession({ lab, node: lab.node('cucm-sub1')!, transfer: localTransfer() });
    rec.attach(pub);
    rec.attach(sub);
    await drive(pub, 'show myself', { prompt: true });
    await drive(sub, 'show myself', { prompt: true });
    await drive(pub, 'show network cluster', { prompt: true });
    rec.close();
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^admin:show myself\nMachine Name    : cucm-pub\n/);
    expect(text).toContain('\n#! node cucm-sub1\nadmin:show myself\nMachine Name    : cucm-sub1\n');
    expect(text).toContain('\n#! node cucm-pub\nadmin:show network cluster\n');
    const r = await runRunbook(file);
    expect(r.mismatches.map((m) => m.diff).join('\n')).toBe('');
    expect(r.passed).toBe(true);
  });

  it('a runbook recorded as .cast shows its node switches on screen, as the text recording does', async () => {
    const dir = tmp();
    const rb = join(dir, 'rb.txt');
    writeFileSync(rb, '#! seed 1\nadmin:show myself\n#! node cucm-sub1\nadmin:show myself\n');
    expect((await runRunbook(rb, { update: true })).passed).toBe(true);
    const txt = join(dir, 'r.txt');
    const cast = join(dir, 'r.cast');
    expect((await runRunbook(rb, { record: { file: txt } })).passed).toBe(true);
    expect((await runRunbook(rb, { record: { file: cast } })).passed).toBe(true);
    const text = readFileSync(txt, 'utf8');
    expect(text).toContain('logging setting : 1\n#! node cucm-sub1\nadmin:show myself\nMachine Name    : cucm-sub1\n');
    const shown = castOutput(readFileSync(cast, 'utf8')).replace(/\r\n/g, '\n');
    expect(shown).toBe(text);
    const markers = readFileSync(cast, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l) as [number, string, string])
      .filter((e) => e[1] === 'm')
      .map((e) => e[2]);
    expect(markers).toEqual(['show myself', 'node cucm-sub1', 'show myself']);
  });
});
