// show cert list own|trust, show cert own <unit>, show cert trust <file>: the platform's Java-style
// certificate dump as the OS administration pages print it (seed 002, "Certificate File Data").
import type { CommandContext, CommandModule } from '../../src/console/command.js';
import { certView } from '../../state/crypto/certs.js';
import { profileOf } from '../../state/cluster/profile.js';
import { unitsOn } from '../../state/cluster/certificates.js';
import * as der from '../../state/crypto/der.js';
import { Extension, OID } from '../../state/crypto/x509.js';
import { cucmDate } from '../format.js';

/** The node's own units in the order of the lab's release (the -ECDSA units from 11.x). */
function ownUnits(ctx: { lab: CommandContext['lab']; node: CommandContext['node'] }): string[] {
  return unitsOn(profileOf(ctx.lab), ctx.node).filter((u) => ctx.node.certs[u]);
}

function certFileNames(ctx: { lab: CommandContext['lab']; node: CommandContext['node'] }): string[] {
  return ownUnits(ctx).flatMap((u) => [`${u}/${u}.pem`, u]);
}

const SIG_NAMES: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'MD5withRSA',
  [OID.sha1WithRSA]: 'SHA1withRSA',
  [OID.sha256WithRSA]: 'SHA256withRSA',
  '1.2.840.113549.1.1.12': 'SHA384withRSA',
  '1.2.840.113549.1.1.13': 'SHA512withRSA',
  '1.2.840.10045.4.3.2': 'SHA256withECDSA',
  '1.2.840.10045.4.3.3': 'SHA384withECDSA',
};
const KEY_NAMES: Record<string, string> = { [OID.rsaEncryption]: 'RSA', '1.2.840.10045.2.1': 'EC' };
const KU_NAMES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'];

// The seed's key value lines are 82 to 84 characters wide (wrapped by the page); 82 keeps every
// line within the narrowest of them.
const KEY_WIDTH = 82;

function extensionLines(e: Extension): string[] {
  const head = (name: string) => [`   Extension: ${name} (OID.${e.oid})`, `   Critical: ${e.critical}`];
  try {
    switch (e.oid) {
      case OID.keyUsage: {
        const b = der.read(e.value).content;
        const names = KU_NAMES.filter((_, i) => 1 + (i >> 3) < b.length && b[1 + (i >> 3)] & (0x80 >> (i & 7)));
        return [...head('KeyUsage'), `   Usages: ${names.map((n) => `${n}, `).join('')}`];
      }
      case OID.extKeyUsage: {
        const oids = der.children(der.read(e.value)).map((n) => der.readOid(n));
        return [...head('ExtKeyUsageSyntax'), `   Usage oids: ${oids.map((o) => `${o}, `).join('')}`];
      }
      case OID.subjectKeyIdentifier:
        return [...head('SubjectKeyIdentifier'), `   ski: ${der.read(e.value).content.toString('hex')}`];
      case '2.5.29.19': {
        const parts = der.children(der.read(e.value));
        const ca = parts[0]?.tag === der.Tag.BOOLEAN && parts[0].content[0] !== 0;
        return [...head('BasicConstraints'), `   CA: ${ca}`];
      }
      case '2.5.29.17': {
        const kinds: Record<number, string> = { 0x81: 'RFC822Name', 0x82: 'DNSName', 0x86: 'URIName' };
        const names = der.children(der.read(e.value)).map((n) =>
          n.tag === 0x87 && n.content.length === 4 ? `IPAddress: ${[...n.content].join('.')}` : `${kinds[n.tag] ?? 'Other'}: ${kinds[n.tag] ? n.content.toString('latin1') : n.content.toString('hex')}`,
        );
        return [...head('SubjectAlternativeName'), ...names.map((n) => `   ${n}`)];
      }
      case '2.5.29.35': {
        const id = der.children(der.read(e.value)).find((n) => n.tag === 0x80);
        return [...head('AuthorityKeyIdentifier'), `   aki: ${id ? id.content.toString('hex') : ''}`];
      }
    }
  } catch {
    // a malformed value is shown raw below
  }
  return [...head('Unknown'), `   Value: ${e.value.toString('hex')}`];
}

/** The certificate block: field order, names and casing as the seed's certificate pages. */
export function certDump(pem: string, tz: string): string[] {
  const v = certView(pem);
  const p = v.parsed;
  // Java prints a name in the reverse of its DER order
  const javaName = (attrs: typeof p.subject) => [...attrs].reverse().map((a) => `${a.short}=${a.value}`).join(', ');
  const keyOid = der.readOid(der.children(der.children(der.read(p.spki))[0])[0]);
  const keyHex = (keyOid === OID.rsaEncryption ? v.publicKeyPkcs1 : p.spki).toString('hex');
  const keyLines: string[] = [];
  for (let i = 0; i < keyHex.length; i += KEY_WIDTH) keyLines.push(keyHex.slice(i, i + KEY_WIDTH));
  const sig = SIG_NAMES[p.signatureOid] ?? `OID.${p.signatureOid}`;
  return [
    '[',
    `Version: V${p.version}`,
    `Serial Number: ${v.serial.toString('hex').toUpperCase()}`,
    `SignatureAlgorithm: ${sig} (${p.signatureOid})`,
    `Issuer Name: ${javaName(p.issuer)}`,
    `Validity From: ${cucmDate(v.notBefore.getTime(), tz)}`,
    `To: ${cucmDate(v.notAfter.getTime(), tz)}`,
    `Subject Name: ${javaName(p.subject)}`,
    `Key: ${KEY_NAMES[keyOid] ?? 'Unknown'} (${keyOid})`,
    'Key value:',
    ...keyLines,
    `Extensions: ${p.extensions.length} present`,
    ...p.extensions.flatMap((e) => ['[', ...extensionLines(e), ']']),
    ']',
  ];
}

const showCert: CommandModule = {
  menus: [
    { path: ['show', 'cert'], summary: 'Show certificate information' },
    { path: ['show', 'cert', 'list'], summary: 'Show certificate lists' },
  ],
  commands: [
    {
      path: ['show', 'cert', 'list', 'own'],
      summary: 'This command displays the own certificates of the server.',
      run(ctx) {
        for (const u of ownUnits(ctx)) ctx.out(`${u}/${u}.pem: ${ctx.node.certs[u].description}`);
      },
    },
    {
      path: ['show', 'cert', 'list', 'trust'],
      summary: 'This command displays the trusted certificates of the server.',
      run(ctx) {
        for (const key of Object.keys(ctx.node.trust).sort((a, b) => a.localeCompare(b))) ctx.out(`${key}: Trust Certificate`);
      },
    },
    {
      path: ['show', 'cert', 'own'],
      summary: 'This command displays the contents of an own certificate.',
      params: [{ name: 'filename', required: true, help: 'unit/file name, for example CallManager/CallManager.pem', values: (c) => certFileNames(c) }],
      run(ctx, args) {
        const unit = args.filename.split('/')[0];
        const c = Object.hasOwn(ctx.node.certs, unit) ? ctx.node.certs[unit] : undefined;
        if (!c || (args.filename.includes('/') && args.filename !== `${unit}/${unit}.pem`)) {
          return ctx.fail(`${args.filename}: no such certificate`);
        }
        ctx.out(...certDump(c.certPem, ctx.lab.state.timezone));
      },
    },
    {
      path: ['show', 'cert', 'trust'],
      summary: 'This command displays the contents of a trusted certificate.',
      params: [{ name: 'filename', required: true, help: 'unit-trust/file name', values: (c) => Object.keys(c.node.trust) }],
      run(ctx, args) {
        const pem = Object.hasOwn(ctx.node.trust, args.filename) ? ctx.node.trust[args.filename] : undefined;
        if (!pem) return ctx.fail(`${args.filename}: no such certificate`);
        ctx.out(...certDump(pem, ctx.lab.state.timezone));
      },
    },
  ],
};

export default showCert;
