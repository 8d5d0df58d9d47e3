// Hostile input: file specs that try to leave the TFTP directory, SQL that tries to write or escape,
// malformed trust files planted in a TFTP directory, and corrupted lab files on disk.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Lab, LabError } from '../state/cluster/lab.js';
import { StoreError } from '../state/store.js';
import { HeaderTag } from '../state/trust/tlv.js';
import { parseTrustListStrict } from '../state/trust/tlv-parse.js';
import { cleanup, seededLab, tempDir, transcript, useLocalSftp } from './helpers.js';
import { requireDist } from './prerequisites.js';
import { drive } from '../src/console/drive.js';

// transfers go to the lab's local SFTP folder: fuzzed or hostile host names never reach the network
useLocalSftp();
vi.setConfig({ hookTimeout: 60_000 });

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'cucm-sim.js');
const UNSUCCESSFUL = 'Executed command unsuccessfully';

/** Content hash of every file under dir (symlinks by their target text), for "nothing touched". */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isSymbolicLink()) out[p] = 'link';
      else if (e.isDirectory()) walk(p);
      else out[p] = createHash('sha1').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('file commands refuse specs that leave the TFTP directory', () => {
  let root: string;
  let lab: Lab;
  let sentinel: string;

  beforeAll(async () => {
    root = tempDir('cucm-sim-hostile-');
    lab = await seededLab({ dir: join(root, 'lab') });
    // things a traversal would reach: a file beside the lab, the lab's own files, another node's files
    sentinel = join(root, 'passwd');
    writeFileSync(sentinel, 'root:x:0:0\n');
    writeFileSync(join(lab.store.dir, 'nodes', 'secret.txt'), 'not a TFTP file\n');
    // a planted link in the TFTP directory pointing outside it
    symlinkSync(sentinel, join(lab.tftpDir(lab.publisher()), 'link.tlv'));
  });
  afterAll(() => {
    lab.close();
    rmSync(root, { recursive: true, force: true });
  });

  const SPECS = [
    '../../etc/passwd',
    '../../../passwd',
    '/etc/passwd',
    '..',
    '.',
    '*/../*',
    '../*',
    '*/*',
    './ITLFile.tlv',
    '..\\..\\lab.json',
    'ITL\u0000File.tlv',
    '\u0000',
    'ITLFile.tlv\u0000../../lab.json',
    '%2e%2e%2flab.json',
    '~/passwd',
    '$HOME',
    '`id`',
    'a'.repeat(300),
    'x'.repeat(100_000),
    '../nodes/secret.txt',
    '../../nodes/secret.txt',
    'cm/tftpdata/../../../lab.json',
    'link.tlv',
  ];

  const REFUSAL = /Invalid (file specification|characters)|too long|not allowed|no such file or directory can be found|No files matched filter criteria/;

  it('refuses each spec with a clear message and touches nothing', async () => {
    const before = tree(root);
    const fp = lab.fingerprint();
    for (const spec of SPECS) {
      for (const [line, answers] of [
        [`file list tftp ${spec}`, []],
        [`file list tftp ${spec} detail`, []],
        [`file get tftp ${spec}`, ['y', '127.0.0.1', '22', 'admin', 'pw', '/../../']],
        [`file delete tftp ${spec}`, ['y', 'y', 'y']],
        [`file delete tftp ${spec} noconfirm`, []],
        [`file delete activelog ${spec}`, ['y']],
        [`file delete activelog cm/tftpdata/${spec} noconfirm`, []],
      ] as Array<[string, string[]]>) {
        const r = await transcript(lab, [line], { answers });
        const shown = r.text.slice(r.text.indexOf('\n') + 1); // without the echoed command
        expect(r.statuses, line.slice(0, 120)).toEqual([1]);
        expect(shown, line.slice(0, 120)).toMatch(REFUSAL);
        expect(shown).toContain(UNSUCCESSFUL);
        expect(shown).not.toMatch(/root:x|not a TFTP file|Transfer completed/);
      }
    }
    expect(tree(root)).toEqual(before);
    expect(lab.fingerprint()).toBe(fp);
    expect(readFileSync(sentinel, 'utf8')).toBe('root:x:0:0\n');
    // nothing was uploaded anywhere either
    expect(existsSync(join(lab.store.dir, 'sftp'))).toBe(false);
  }, 60_000);

  it('a wildcard delete stays on its node and in its directory', async () => {
    const others = [lab.publisher(), lab.node('cucm-sub2')!].map((n) => tree(lab.tftpDir(n)));
    const r = await transcript(lab, ['file delete tftp * noconfirm'], { node: 'cucm-sub1' });
    expect(r.statuses).toEqual([0]);
    expect(r.text).toMatch(/files: found = \d+, deleted = \d+/);
    expect(lab.listTftp(lab.node('cucm-sub1')!)).toEqual([]);
    expect([lab.publisher(), lab.node('cucm-sub2')!].map((n) => tree(lab.tftpDir(n)))).toEqual(others);
    expect(readFileSync(sentinel, 'utf8')).toBe('root:x:0:0\n');
    expect(lstatSync(join(lab.tftpDir(lab.publisher()), 'link.tlv')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(lab.store.dir, 'nodes', 'secret.txt'), 'utf8')).toBe('not a TFTP file\n');
  });

  it('file get to the local SFTP folder writes only inside it, whatever the host and directory say', async () => {
    const sftpRoot = join(lab.store.dir, 'sftp') + '/';
    for (const [host, dir] of [
      ['../../..', '../../../../tmp'],
      ['..', 'nodes/cucm-sub1/tftp'],
      ['.', '/'],
      ['..', '/'],
      ['/', '..'],
      ['a/../..', 'x'],
    ]) {
      const before = tree(root);
      const r = await transcript(lab, ['file get tftp ITLFile.tlv'], { answers: ['y', host, '22', 'admin', 'pw', dir] });
      const after = tree(root);
      const changed = Object.keys(after).filter((p) => before[p] !== after[p]);
      expect(changed.filter((p) => !p.startsWith(sftpRoot)), `host ${host} dir ${dir}`).toEqual([]);
      expect(r.statuses.length).toBe(1);
    }
    expect(readFileSync(sentinel, 'utf8')).toBe('root:x:0:0\n');
  });
});

describe('run sql refuses writes and escapes', () => {
  let lab: Lab;
  let root: string;
  beforeAll(async () => {
    root = tempDir('cucm-sim-sql-');
    lab = await seededLab({ dir: join(root, 'lab') });
  });
  afterAll(() => {
    lab.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses each statement through the command, and the database and disk stay as they were', async () => {
    const outside = join(root, 'pwn.db');
    const statements = [
      'delete from device',
      "update processconfig set paramvalue='1' where paramname='ClusterSecurityMode'",
      "insert into processconfig (paramname, paramvalue) values ('x', 'y')",
      'replace into typetrustrole values (9, 9, 9)',
      'drop table processconfig',
      'create table t (a int)',
      'alter table device add column x int',
      'select 1; drop table device',
      "select * from processconfig; update processconfig set paramvalue='1'",
      `attach database '${outside}' as pwn`,
      `select 1; attach database '${outside}' as pwn`,
      'with x as (select 1) delete from device',
      'pragma writable_schema = 1',
      'pragma query_only = 0',
      `vacuum into '${outside}'`,
      "select load_extension('/tmp/evil.so')",
      `select writefile('${outside}', 'x')`,
      'begin; delete from device; commit',
      'select * from processconfig where 1 = 1 -- ; delete from device',
      `select * from processconfig where paramname = '' ; attach '${outside}' as x; --'`,
      'select ' + '1,'.repeat(6000) + '1',
    ];
    const fp = lab.fingerprint();
    for (const sql of statements) {
      const r = await transcript(lab, [`run sql ${sql}`]);
      const shown = r.text.slice(r.text.indexOf('\n') + 1);
      if (sql.startsWith('select * from processconfig where 1 = 1')) {
        // a comment is part of a read: it runs, and the rest of the line stays a comment
        expect(r.statuses, sql).toEqual([0]);
        continue;
      }
      expect(r.statuses, sql.slice(0, 80)).toEqual([1]);
      expect(shown, sql.slice(0, 80)).toContain(UNSUCCESSFUL);
      expect(shown).not.toMatch(/TypeError|\n\s+at /);
    }
    expect(existsSync(outside)).toBe(false);
    expect(lab.fingerprint()).toBe(fp);
    const mode = await transcript(lab, ["run sql select paramvalue from processconfig where paramname='ClusterSecurityMode'"]);
    expect(mode.statuses).toEqual([0]);
    expect(mode.text).toMatch(/paramvalue\s*\n=+\s*\n0\s*\n/);
  }, 60_000);
});

// ---------------------------------------------------------------- malformed trust files

/** Variants of a good trust file: each with the CUCM text `show itl`/`show ctl` must report. */
function malformed(good: Buffer, seed: number): Array<{ name: string; data: Buffer; expect: 'parse' | 'verify' | 'parse-or-verify' }> {
  const list = parseTrustListStrict(good);
  const out: Array<{ name: string; data: Buffer; expect: 'parse' | 'verify' | 'parse-or-verify' }> = [];
  for (const n of [1, 2, 3, 5, 10, 40, Math.floor(good.length / 2), list.headerLength, list.headerLength + 3, good.length - 1]) {
    out.push({ name: `truncated to ${n} bytes`, data: good.subarray(0, n), expect: 'parse' });
  }
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (const size of [1, 7, 64, 600, good.length]) out.push({ name: `${size} random bytes`, data: Buffer.from(Array.from({ length: size }, rnd)), expect: 'parse' });
  const flip = (at: number, name: string, expect: 'parse' | 'verify' | 'parse-or-verify') => {
    const b = Buffer.from(good);
    b[at] ^= 0x5a;
    out.push({ name, data: b, expect });
  };
  flip(list.sigStart + 3 + 7, 'a flipped byte in the signature', 'verify');
  flip(list.sigEnd - 1, 'the last signature byte flipped', 'verify');
  // inside the first record's certificate: still parses, no longer verifies
  const cert = list.records[0].fields.find((f) => f.tag === 9)!;
  flip(cert.offset + 3 + 20, 'a flipped byte in a certificate', 'verify');
  const hl = list.headerFields.find((f) => f.tag === HeaderTag.HEADERLENGTH)!;
  for (const [delta, label] of [
    [4, 'header length + 4'],
    [-4, 'header length - 4'],
    [-1, 'header length - 1'],
  ] as Array<[number, string]>) {
    const b = Buffer.from(good);
    b.writeUInt16BE(list.headerLength + delta, hl.offset + 3);
    out.push({ name: label, data: b, expect: 'parse' });
  }
  for (const v of [0, 0xffff]) {
    const b = Buffer.from(good);
    b.writeUInt16BE(v, hl.offset + 3);
    out.push({ name: `header length ${v}`, data: b, expect: 'parse' });
  }
  const rec = list.records[0].fields[0].offset; // RECORDLENGTH of the first record
  for (const [v, label] of [
    [list.records[0].length + 1, 'record length + 1'],
    [list.records[0].length - 1, 'record length - 1'],
    [0, 'record length 0'],
    [0xffff, 'record length 65535'],
    [4, 'record length 4'],
  ] as Array<[number, string]>) {
    const b = Buffer.from(good);
    b.writeUInt16BE(v, rec + 3);
    out.push({ name: label, data: b, expect: 'parse' });
  }
  {
    // a field length inside a record that runs past the record
    const b = Buffer.from(good);
    const f = list.records[0].fields[1];
    b.writeUInt16BE(0xfff0, f.offset + 1);
    out.push({ name: 'field length past its record', data: b, expect: 'parse' });
  }
  out.push({ name: 'trailing garbage', data: Buffer.concat([good, Buffer.from([1, 0, 2, 0xff, 0xff, 9, 9])]), expect: 'parse' });
  out.push({ name: 'appended copy of the records', data: Buffer.concat([good, good.subarray(list.headerLength)]), expect: 'parse-or-verify' });
  out.push({ name: 'zeros', data: Buffer.alloc(good.length), expect: 'parse' });
  out.push({ name: 'the header alone', data: good.subarray(0, list.headerLength), expect: 'verify' });
  return out;
}

describe('malformed trust files planted in a TFTP directory', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await seededLab();
    await transcript(lab, ['utils ctl set-cluster mixed-mode'], { answers: ['y'] });
  });
  afterAll(() => cleanup(lab));

  for (const kind of ['ITL', 'CTL'] as const) {
    it(`show ${kind.toLowerCase()} reports each one with CUCM's words and never fails the command`, async () => {
      const file = `${kind}File.tlv`;
      const node = lab.publisher();
      const path = join(lab.tftpDir(node), file);
      const good = readFileSync(path);
      const parseText = kind === 'ITL' ? 'Error parsing the ITL file!!' : 'Error parsing the CTL File.';
      const verifyText = `Verification of the ${kind} file failed.`;
      try {
        for (const v of malformed(good, kind === 'ITL' ? 1 : 2)) {
          writeFileSync(path, v.data);
          const r = await transcript(lab, [`show ${kind.toLowerCase()}`]);
          const shown = r.text;
          expect(r.statuses, v.name).toEqual([0]);
          expect(shown, v.name).not.toContain(UNSUCCESSFUL);
          expect(shown, v.name).not.toContain(`The ${kind} file was verified successfully.`);
          expect(shown, v.name).toContain(`Length of ${kind} file: ${v.data.length}`);
          if (v.expect === 'parse') expect(shown, v.name).toContain(parseText);
          else if (v.expect === 'verify') expect(shown, v.name).toContain(verifyText);
          else expect(shown, v.name).toMatch(new RegExp(`${parseText.replace(/[.!]/g, '\\$&')}|${verifyText.replace(/\./g, '\\.')}`));
          // the listing around it keeps working
          const ls = await transcript(lab, ['file list tftp * detail']);
          expect(ls.statuses, v.name).toEqual([0]);
        }
      } finally {
        writeFileSync(path, good);
      }
      const back = await transcript(lab, [`show ${kind.toLowerCase()}`]);
      expect(back.text).toContain(`The ${kind} file was verified successfully.`);
    }, 60_000);
  }

  it('phones refuse them and keep the trust lists they have', async () => {
    const phones = { ...(await import('../state/phones/fleet.js')), ...(await import('../state/phones/boot.js')) };
    const fleet = phones.fleet(lab).phones.filter((p) => p.itl && lab.node(p.tftpNode));
    expect(fleet.length).toBeGreaterThan(0);
    const phone = fleet[0];
    const node = lab.node(phone.tftpNode)!;
    // one boot with the good files first: the phone holds the current ITL and CTL
    await lab.mutate(() => phones.bootPhone(lab, phone));
    expect(phone.itl).toBeDefined();
    for (const kind of ['ITL', 'CTL'] as const) {
      const path = join(lab.tftpDir(node), `${kind}File.tlv`);
      // beforeAll moved the cluster to mixed mode: both files are there
      expect(existsSync(path), path).toBe(true);
      const good = readFileSync(path);
      try {
        for (const v of malformed(good, 3)) {
          writeFileSync(path, v.data);
          const had = { itl: phone.itl, ctl: phone.ctl };
          await lab.mutate(() => phones.bootPhone(lab, phone));
          expect(phone.itl, `${kind}: ${v.name}`).toBe(had.itl);
          expect(phone.ctl, `${kind}: ${v.name}`).toBe(had.ctl);
        }
      } finally {
        writeFileSync(path, good);
      }
    }
  });

  it('odd things in the TFTP directory do not break listings', async () => {
    const dir = lab.tftpDir(lab.node('cucm-sub2')!);
    mkdirSync(join(dir, 'adir.tlv'));
    writeFileSync(join(dir, 'bad\nname.tlv'), 'x');
    writeFileSync(join(dir, 'ITLFile.tlv.tmp-999'), 'half');
    const r = await transcript(lab, ['file list tftp * detail', 'file list tftp *.tlv', 'show itl'], { node: 'cucm-sub2' });
    expect(r.statuses).toEqual([0, 0, 0]);
    expect(r.text).not.toContain('adir.tlv');
    expect(r.text).not.toContain('.tmp-999');
    expect(r.text).toContain('The ITL file was verified successfully.');
  });
});

// ---------------------------------------------------------------- corrupted lab files

describe('corrupted lab files on disk', () => {
  let good: Buffer;
  let template: string;
  beforeAll(async () => {
    template = tempDir('cucm-sim-corrupt-');
    const lab = await seededLab({ dir: join(template, 'labs', 'default') });
    good = readFileSync(join(lab.store.dir, 'lab.json'));
    lab.close();
  });
  afterAll(() => rmSync(template, { recursive: true, force: true }));

  const variants: Array<[string, (b: Buffer) => Buffer]> = [
    ['truncated', (b) => b.subarray(0, Math.floor(b.length / 2))],
    ['cut by one byte', (b) => b.subarray(0, b.length - 1)],
    ['empty', () => Buffer.alloc(0)],
    ['garbage', () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff))],
    ['NUL bytes', (b) => Buffer.alloc(b.length)],
    ['an empty object', () => Buffer.from('{}')],
    ['null', () => Buffer.from('null')],
    ['an array', () => Buffer.from('[1,2,3]')],
    ['an unknown format', (b) => Buffer.from(JSON.stringify({ ...JSON.parse(b.toString()), format: 99 }))],
    ['no nodes', (b) => Buffer.from(JSON.stringify({ ...JSON.parse(b.toString()), nodes: [] }))],
  ];

  function corruptCopy(name: string, make: (b: Buffer) => Buffer): { data: string; labDir: string; bytes: Buffer } {
    const data = join(template, `copy-${name.replace(/\W+/g, '-')}`);
    rmSync(data, { recursive: true, force: true });
    const labDir = join(data, 'labs', 'default');
    mkdirSync(dirname(labDir), { recursive: true });
    spawnSync('cp', ['-r', join(template, 'labs', 'default'), labDir]);
    const bytes = make(good);
    writeFileSync(join(labDir, 'lab.json'), bytes);
    return { data, labDir, bytes };
  }

  for (const [name, make] of variants) {
    it(`Lab.open refuses a lab.json that is ${name}, naming the file and the way to reset`, () => {
      const { labDir, bytes } = corruptCopy(name, make);
      let err: unknown;
      try {
        Lab.open(labDir).close();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LabError);
      const msg = (err as Error).message;
      expect(msg).toContain(join(labDir, 'lab.json'));
      expect(msg).toMatch(/reset/i);
      // never a silent reset, and the lock is released for the next try
      expect(readFileSync(join(labDir, 'lab.json')).equals(bytes)).toBe(true);
      expect(existsSync(join(labDir, 'lock.json'))).toBe(false);
    });
  }

  it('the command line fails with the same clear message, a non-zero status and no stack trace', () => {
    requireDist();
    for (const [name, make] of variants.slice(0, 5)) {
      const { data, labDir, bytes } = corruptCopy(`cli-${name}`, make);
      const r = spawnSync(process.execPath, [BIN, '--data-dir', data], { input: 'show itl\n', encoding: 'utf8', timeout: 30_000 });
      expect(r.status, name).not.toBe(0);
      expect(r.stderr, name).toContain(join(labDir, 'lab.json'));
      expect(r.stderr, name).toMatch(/reset/i);
      expect(r.stderr + r.stdout, name).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(r.stdout, name).not.toContain('admin:');
      expect(readFileSync(join(labDir, 'lab.json')).equals(bytes), name).toBe(true);
    }
  }, 60_000);

  it('an unreadable journal was never complete: it is dropped and the lab opens as it was', () => {
    const { labDir } = corruptCopy('journal', (b) => b);
    writeFileSync(join(labDir, 'journal.json'), '[{"path":"lab.json","da');
    const lab = Lab.open(labDir);
    try {
      expect(readFileSync(join(labDir, 'lab.json')).equals(good)).toBe(true);
      expect(existsSync(join(labDir, 'journal.json'))).toBe(false);
    } finally {
      lab.close();
    }
  });

  it('a journal naming paths outside the lab writes nothing outside and fails clearly', () => {
    const { data, labDir } = corruptCopy('journal-escape', (b) => b);
    const outside = join(data, 'escaped.txt');
    writeFileSync(join(labDir, 'journal.json'), JSON.stringify([{ path: '../../escaped.txt', data: Buffer.from('pwned').toString('base64') }]));
    let err: unknown;
    try {
      Lab.open(labDir).close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(/escapes the lab/);
    expect(existsSync(outside)).toBe(false);
    expect(existsSync(join(labDir, 'lock.json'))).toBe(false);
  });

  it('an unreadable lock is stale; a live owner is named', () => {
    const { labDir } = corruptCopy('lock', (b) => b);
    writeFileSync(join(labDir, 'lock.json'), '\u0000garbage');
    Lab.open(labDir).close();
    writeFileSync(join(labDir, 'lock.json'), JSON.stringify({ pid: 1, host: hostname(), what: 'another cucm-sim', since: '2025-01-06T09:00:00Z' }));
    expect(() => Lab.open(labDir)).toThrow(/in use by process 1 \(another cucm-sim\)/);
  });
});

// ---------------------------------------------------------------- a change that fails half way

describe('a change that fails half way', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await seededLab({ seed: 5 });
  });
  afterAll(() => cleanup(lab));

  it('a PKCS#12 whose key does not fit its certificate is refused, and the session keeps working on the live lab', async () => {
    const { buildPkcs12, p12Password } = await import('../state/crypto/pkcs12.js');
    const { generateKeyPairSync } = await import('node:crypto');
    const pub = lab.publisher();
    const wrongKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const p12 = await buildPkcs12(pub.certs.ITLRecovery.certPem, wrongKey, p12Password(lab.state.accounts.securityPassword));
    const dir = join(lab.store.dir, 'sftp', '127.0.0.1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bad.p12'), p12);
    const fp = lab.fingerprint();
    const files = tree(lab.tftpDir(pub));
    const node = lab.node('cucm-pub')!;
    const { CliSession } = await import('../src/console/admin-console.js');
    const { localTransfer } = await import('../src/net/transfer.js');
    const session = new CliSession({ lab, node, transfer: localTransfer() });
    let text = '';
    session.on((t) => (text += t));
    const answers = ['sftppw', lab.state.accounts.application.password];
    const io = { answers: () => answers.shift() ?? '' };
    const r = await drive(session, 'utils itl reset remotekey 127.0.0.1 admin /bad.p12', io);
    if (process.env.SHOW) console.log(text);
    expect(r.status).toBe(1);
    expect(text).toContain(UNSUCCESSFUL);
    expect(text).not.toMatch(/TypeError|\n\s+at /);
    expect(text).toContain('its private key does not belong to its certificate');
    // nothing of the failed change is left
    expect(lab.fingerprint()).toBe(fp);
    expect(tree(lab.tftpDir(pub))).toEqual(files);
    // and what the same session does next reaches the lab (and the disk)
    const stop = await drive(session, 'utils service stop Cisco Tftp', io);
    expect(stop.status).toBe(0);
    expect(lab.service(lab.publisher(), 'Cisco Tftp')!.status).toBe('STOPPED');
    lab.flush(); // changes reach the disk a few milliseconds later; flush() writes them at once
    const saved = JSON.parse(readFileSync(join(lab.store.dir, 'lab.json'), 'utf8'));
    expect(saved.nodes[0].services.find((s: { name: string }) => s.name === 'Cisco Tftp').status).toBe('STOPPED');
  });
});
