// The library API as a test author uses it (this is the README example).
import { describe, it, expect, afterEach } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { requireDist } from './prerequisites.js';
import { join } from 'node:path';
import { createLab, TestLab, UnansweredQuestion } from '../src/index.js';

let lab: TestLab;
afterEach(async () => {
  await lab?.cleanup();
});

describe('createLab', () => {
  it('moves a cluster to mixed mode and every node serves the same CTL', async () => {
    lab = await createLab(); // deterministic: seed 1, clock 2025-01-06T09:00:00Z, three nodes

    const pub = lab.session(); // the publisher
    const mixed = await pub.run('utils ctl set-cluster mixed-mode', ['y']);
    expect(mixed.status).toBe(0);
    expect(mixed.output).toContain('Cluster set to Mixed Mode');

    const md5 = (out: string) => out.match(/^([0-9a-f]{32})\(MD5\)$/m)?.[1];
    const onPub = md5((await pub.run('show ctl')).output);
    const onSub = md5((await lab.session('cucm-sub1').run('show ctl')).output);
    expect(onPub).toMatch(/^[0-9a-f]{32}$/);
    expect(onSub).toBe(onPub);

    // refusals come back with status 1
    const refused = await lab.session('cucm-sub1').run('utils itl reset localkey');
    expect(refused.status).toBe(1);
    expect(refused.output).toBe('This is not a publisher node. The ITL reset can be run on the publisher only.\nExecuted command unsuccessfully\n');

    // answers can be keyed by a piece of the question; hidden password prompts take answers too
    const reset = await pub.run('utils itl reset localkey', { 'CCM Administrator password': 'cisco123' });
    expect(reset.output).toContain("['cucm-pub', 'cucm-sub1', 'cucm-sub2']");

    // the lab model is there for assertions
    expect(lab.lab.state.params.clusterSecurityMode).toBe(1);
  });

  it('takes a topology, and rejects when a question has no answer', async () => {
    lab = await createLab({ topology: { nodes: 1, ctl: 'etoken' } });
    expect(lab.lab.nodes.map((n) => n.name)).toEqual(['cucm-pub']);
    const unanswered = lab.session().run('utils ctl update CTLFile');
    await expect(unanswered).rejects.toThrow(UnansweredQuestion);
    await expect(unanswered).rejects.toThrow(/^'utils ctl update CTLFile' asked "This operation updates the CTLFile\. Do you want to continue\? \(y\/n\):" and no answer was given$/);
    // Ctrl-C as an answer
    const cancelled = await lab.session().run('utils ctl update CTLFile', ['\x03']);
    expect(cancelled.output).toContain('Control-C pressed');
    expect(() => lab.session('nosuch')).toThrow(/no node 'nosuch'/);
  });

  it('runs runbooks against the lab', async () => {
    lab = await createLab();
    const r = await lab.runbook('inline.txt', 'admin:set cert regen CallManager\nProceed with regeneration (yes|no)? yes\n');
    expect(r.passed).toBe(false); // the other lines of the dialog are missing
    expect(r.mismatches[0].diff).toContain('+Successfully Regenerated Certificate for CallManager.');
    // the regeneration did happen in this lab: the hold timer now refuses another one
    expect((await lab.session().run('set cert regen TVS')).output).toContain('was modified in the last 5 minutes');
  });

  it('drives the lab console', async () => {
    lab = await createLab();
    const r = await lab.console().run('help');
    expect(r.status).toBe(0);
    expect(r.output).toContain('phones');
  });
});

describe("import { createLab } from 'cucm-sim'", () => {
  it('resolves from a consumer package', () => {
    requireDist('src/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'cucm-sim-consumer-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(join(import.meta.dirname, '..'), join(dir, 'node_modules', 'cucm-sim'));
      writeFileSync(join(dir, 'package.json'), '{"type":"module","dependencies":{"cucm-sim":"file:../cucm-sim"}}');
      writeFileSync(
        join(dir, 'use.js'),
        "import { createLab } from 'cucm-sim';\nconst lab = await createLab({ topology: { nodes: 1 } });\nconst r = await lab.session().run('show myself');\nconsole.log(r.status, r.output.split('\\n')[0]);\nawait lab.cleanup();\n",
      );
      expect(execFileSync('node', ['use.js'], { cwd: dir, encoding: 'utf8' })).toBe('0 Machine Name    : cucm-pub\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
