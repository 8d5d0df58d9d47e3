// One runbook per release profile (scripts/runbooks/versions/): mixed mode, a certificate regeneration
// and an ITL/CTL recovery end to end with the phones. `cucm-sim run` runs them all and must pass them;
// each runbook's own text is checked against facts of versions.md written out here (the build, who
// signs the ITL and the CTL, the dialog family, the units), and each ends with every phone trusted.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireDist } from './prerequisites.js';
import { runRunbook } from '../src/runbook/run.js';
import { createExerciseLab } from '../src/runbook/exercise.js';
import { loadExerciseFile } from '../state/exercises/loader.js';
import { certView } from '../state/crypto/certs.js';
import { parseTrustList } from '../state/trust/tlv-parse.js';
import { cleanup, tempDir } from './helpers.js';

const ROOT = join(import.meta.dirname, '..');
const DIR = join(ROOT, 'scripts', 'runbooks', 'versions');
const BIN = join(ROOT, 'bin', 'cucm-sim.js');

const PUB_CM = 'CN=cucm-pub.lab.example;OU=Voice;O=Example;L=RTP;ST=NC;C=US';
const PUB_RECOVERY = 'CN=ITLRECOVERY_cucm-pub.lab.example;OU=Voice;O=Example;L=RTP;ST=NC;C=US';

/** Per release, from versions.md §0–§2: the build, the signer of the ITL and of the tokenless CTL, the dialog. */
const FACTS: Record<string, { build: string; itlSigner: string; ctlSigner: string; mixed: string; ecdsa: boolean }> = {
  'cucm-10-5.txt': { build: '10.5.1.10000-7', itlSigner: PUB_CM, ctlSigner: PUB_CM, mixed: 'This operation sets the cluster to Mixed mode.', ecdsa: false },
  'cucm-11-5.txt': { build: '11.5.1.12900-21', itlSigner: PUB_CM, ctlSigner: PUB_CM, mixed: 'This operation will set the cluster to Mixed mode.', ecdsa: true },
  'cucm-12-5.txt': { build: '12.5.1.16900-48', itlSigner: PUB_RECOVERY, ctlSigner: PUB_RECOVERY, mixed: 'This operation will set the cluster to Mixed mode.', ecdsa: true },
  'cucm-14.txt': { build: '14.0.1.12900-161', itlSigner: PUB_RECOVERY, ctlSigner: PUB_RECOVERY, mixed: 'This operation will set the cluster to Mixed mode.', ecdsa: true },
  'cucm-15.txt': { build: '15.0.1.12900-234', itlSigner: PUB_RECOVERY, ctlSigner: PUB_RECOVERY, mixed: 'This operation will set the cluster to Mixed mode.', ecdsa: true },
};

/** A fixed test literal as a regular expression (dots are the only special characters in these names). */
const esc = (t: string) => t.replace(/\./g, '\\.');

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.txt'))
  .sort();

describe('the release-profile runbooks', () => {
  it('one per profile: 10.5, 11.5, 12.5, 14 and 15', () => {
    expect(files).toEqual(Object.keys(FACTS).sort());
  });

  it('all pass under `cucm-sim run`', () => {
    requireDist();
    const r = spawnSync('node', [BIN, 'run', ...files.map((f) => join(DIR, f))], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`${files.length} runbooks: ${files.length} passed, 0 failed`);
    expect(r.status).toBe(0);
  }, 180_000);

  for (const f of files) {
    it(`${f}: the release's build, signers and dialog; every phone trusted at the end`, async () => {
      const facts = FACTS[f];
      const text = readFileSync(join(DIR, f), 'utf8');
      expect(text).toContain(`admin:show version active\nActive Master Version: ${facts.build}\n`);
      expect(text).toContain(`admin:utils ctl set-cluster mixed-mode\n${facts.mixed} Do you want to continue? (y/n):y\n`);
      // the first show ctl: the CTL as utils ctl set-cluster wrote it, signer in its header
      const ctl = text.slice(text.indexOf('admin:show ctl'));
      expect(ctl).toMatch(new RegExp(`^4 +SIGNERNAME +\\d+ +${esc(facts.ctlSigner)}$`, 'm'));
      // the last show itl: after the recovery and a Tftp restart, the normal signer again
      const itl = text.slice(text.lastIndexOf('admin:show itl'));
      expect(itl).toMatch(new RegExp(`^4 +SIGNERNAME +\\d+ +${esc(facts.itlSigner)}$`, 'm'));
      // right after utils itl reset localkey: signed by the other key (versions.md §4)
      const reset = text.slice(text.indexOf('admin:utils itl reset localkey'));
      const afterReset = reset.slice(reset.indexOf('admin:show itl'));
      const other = facts.itlSigner === PUB_CM ? PUB_RECOVERY : PUB_CM;
      expect(afterReset.slice(0, afterReset.indexOf('BYTEPOS', afterReset.indexOf('SIGNERNAME')))).toMatch(new RegExp(`^4 +SIGNERNAME +\\d+ +${esc(other)}$`, 'm'));
      expect(text.includes('CallManager-ECDSA')).toBe(facts.ecdsa);
      const status = text.slice(text.lastIndexOf('lab>status'));
      expect(status).toMatch(/\nPhones: 12 trusted\n/);
      expect(status).not.toContain('waiting for a restart');

      const r = await runRunbook(join(DIR, f));
      expect(r.error?.message).toBeUndefined();
      expect(r.mismatches.map((m) => m.diff).join('\n')).toBe('');
      expect(r.passed).toBe(true);
    }, 60_000);
  }
});

describe('exercise k-fn70613-itlrecovery-upgrade (Field Notice 70613)', () => {
  const EX = join(ROOT, 'scripts', 'exercises');

  it('starts on 12.5(1)SU1 with the defect: the CTL on every node still holds the ITLRecovery the upgrade replaced', async () => {
    const def = loadExerciseFile(join(EX, 'k-fn70613-itlrecovery-upgrade.yaml'));
    const lab = await createExerciseLab(def, tempDir(), { name: 'fn' });
    try {
      // 12.5(1)SU1 as the release notes number it; the fix came with SU3 (12.5.1.13900-152)
      expect(lab.state.version).toBe('12.5.1.11900-57');
      expect(lab.state.params.clusterSecurityMode).toBe(1);
      const current = certView(lab.publisher().certs.ITLRecovery.certPem).serial;
      for (const n of lab.nodes) {
        const parsed = parseTrustList(lab.readTftp(n, 'CTLFile.tlv')!);
        if (!parsed.ok) throw new Error(parsed.error);
        // signed by an ITLRecovery key that is no longer the cluster's, and not listing the current one
        expect(parsed.list.signerSerial.equals(current)).toBe(false);
        expect(parsed.list.records.some((r) => r.serial?.equals(current))).toBe(false);
      }
    } finally {
      cleanup(lab);
    }
  }, 60_000);

  it('signing the CTL with the new ITLRecovery at once leaves a phone that cannot ask TVS locked; the notice\'s sequence passes', async () => {
    const wrong = await runRunbook(join(EX, 'k-fn70613-itlrecovery-upgrade.wrong.txt'), { expectExercise: 'fail', exerciseDir: EX });
    expect(wrong.mismatches.map((m) => m.diff).join('\n')).toBe('');
    expect(wrong.exercise).toMatchObject({ actual: 'fail', notMet: ['Every phone trusts the CTL its TFTP server serves'], broken: [] });
    const text = readFileSync(join(EX, 'k-fn70613-itlrecovery-upgrade.wrong.txt'), 'utf8');
    expect(text).toMatch(/^SEP0013C426AB42 +locked +Trust List Update Failed$/m);

    const good = await runRunbook(join(EX, 'k-fn70613-itlrecovery-upgrade.solution.txt'), { expectExercise: 'pass', exerciseDir: EX });
    expect(good.mismatches.map((m) => m.diff).join('\n')).toBe('');
    expect(good.exercise).toMatchObject({ actual: 'pass', score: 100 });
    const sol = readFileSync(join(EX, 'k-fn70613-itlrecovery-upgrade.solution.txt'), 'utf8');
    const order = ['admin:utils ctl reset localkey', 'admin:utils service restart Cisco CallManager', 'lab>phones reset all', 'admin:utils ctl update CTLFile'].map((c) => sol.indexOf(c));
    expect(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]))).toBe(true);
  }, 60_000);
});
