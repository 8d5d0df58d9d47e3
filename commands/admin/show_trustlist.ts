// `show itl` and `show ctl`: both print from parsing the actual file bytes in the node's TFTP directory.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from '../../src/console/command.js';
import { HeaderTag, RecordTag, ROLE_TEXT, Role } from '../../state/trust/tlv.js';
import { fileChecksums, parseTrustList, signerRecord, verifyTrustList, ParsedTrustList, Field } from '../../state/trust/tlv-parse.js';
import { cucmDate, hexColon, hexSpaced, tabs } from '../format.js';

const HEADER_NAMES: Record<number, string> = {
  3: 'SIGNERID',
  4: 'SIGNERNAME',
  5: 'SERIALNUMBER',
  6: 'CANAME',
  7: 'SIGNATUREINFO',
  // the two misspellings are CUCM's own
  8: 'DIGESTALGORTITHM',
  9: 'SIGNATUREALGOINFO',
  10: 'SIGNATUREALGORTITHM',
  11: 'SIGNATUREMODULUS',
  12: 'SIGNATURE',
  14: 'FILENAME',
  15: 'TIMESTAMP',
};

const RECORD_NAMES: Record<number, string> = {
  1: 'RECORDLENGTH',
  2: 'DNSNAME',
  3: 'SUBJECTNAME',
  4: 'FUNCTION',
  5: 'ISSUERNAME',
  6: 'SERIALNUMBER',
  7: 'PUBLICKEY',
  8: 'SIGNATURE',
  9: 'CERTIFICATE',
  10: 'IPADDRESS',
  11: 'CERTHASH',
  12: 'HASH ALGORITHM',
};

/** One listing row: the tag name column spans two tab stops, as in the CLI's output. */
function row(pos: number, name: string, length: number, value?: string | number): string {
  const fields: (string | number)[] = [pos, name];
  if (name.length < 8) fields.push('');
  fields.push(length);
  if (value !== undefined && value !== '') fields.push(value);
  return tabs(...fields);
}

function cstr(b: Buffer): string {
  const z = b.indexOf(0);
  return (z < 0 ? b : b.subarray(0, z)).toString('latin1');
}

function signatureLines(sig: Buffer): string[] {
  const out: string[] = [];
  for (let i = 0; i < sig.length; i += 8) {
    out.push(
      [...sig.subarray(i, i + 8)]
        .map((b) => b.toString(16).padEnd(4))
        .join('')
        .trimEnd(),
    );
  }
  return out;
}

function headerLines(list: ParsedTrustList): string[] {
  const lines: string[] = [];
  for (const f of list.headerFields) {
    const name = HEADER_NAMES[f.tag];
    if (!name) continue;
    switch (f.tag) {
      case HeaderTag.SIGNERID:
      case HeaderTag.SIGNATUREINFO:
      case HeaderTag.SIGNATUREALGOINFO:
        lines.push(row(f.tag, name, 2, f.length));
        break;
      case HeaderTag.SIGNERNAME:
      case HeaderTag.CANAME:
        lines.push(row(f.tag, name, f.length, cstr(f.value)));
        break;
      case HeaderTag.SERIALNUMBER:
        lines.push(row(f.tag, name, f.length, hexColon(f.value)));
        break;
      case HeaderTag.SIGNATURE:
        lines.push(row(f.tag, name, f.length), ...signatureLines(f.value));
        break;
      default:
        lines.push(row(f.tag, name, f.length));
    }
  }
  return lines;
}

function recordFieldLine(f: Field): string {
  const name = RECORD_NAMES[f.tag] ?? String(f.tag);
  switch (f.tag) {
    case RecordTag.RECORDLENGTH:
      return row(f.tag, name, f.length, f.value.readUInt16BE(0));
    case RecordTag.DNSNAME:
    case RecordTag.SUBJECTNAME:
    case RecordTag.ISSUERNAME:
      return row(f.tag, name, f.length, cstr(f.value));
    case RecordTag.FUNCTION: {
      const code = f.value.readUInt16BE(0);
      return row(f.tag, name, f.length, ROLE_TEXT[code] ?? String(code));
    }
    case RecordTag.SERIALNUMBER:
      return row(f.tag, name, f.length, hexColon(f.value));
    case RecordTag.CERTIFICATE:
      return row(f.tag, name, f.length, `${hexSpaced(sha1(f.value))} (SHA1 Hash HEX)`);
    case RecordTag.CERTHASH:
      return row(f.tag, name, f.length, hexSpaced(f.value));
    case RecordTag.HASHALGORITHM:
      return row(f.tag, name, f.length, f.value[0] === 1 ? 'SHA-1' : f.value[0] === 3 ? 'SHA-512' : String(f.value[0]));
    default:
      return row(f.tag, name, f.length);
  }
}

function sha1(b: Buffer): Buffer {
  return createHash('sha1').update(b).digest();
}

export interface TrustListReport {
  lines: string[];
  ok: boolean;
}

const reports = new Map<string, TrustListReport>();

/** The full listing of a trust file, laid out like the CLI's. */
export function describeTrustList(kind: 'ITL' | 'CTL', data: Buffer, modifiedMs: number, tz: string): TrustListReport {
  // the same file is listed by every session of a class: parsing, verifying its signature and
  // laying it out again costs ~1 ms of the serving thread each time
  const key = `${kind}|${modifiedMs}|${tz}|${createHash('sha256').update(data).digest('base64')}`;
  let r = reports.get(key);
  if (!r) {
    if (reports.size >= 256) reports.delete(reports.keys().next().value as string);
    r = describeUncached(kind, data, modifiedMs, tz);
    reports.set(key, r);
  }
  return { lines: [...r.lines], ok: r.ok };
}

function describeUncached(kind: 'ITL' | 'CTL', data: Buffer, modifiedMs: number, tz: string): TrustListReport {
  const sums = fileChecksums(data);
  const lines = [
    `The checksum value of the ${kind} file:`,
    `${sums.md5}(MD5)`,
    `${sums.sha1}(SHA1)`,
    '',
    `Length of ${kind} file: ${data.length}`,
    `The ${kind} File was last modified on ${cucmDate(modifiedMs, tz)}`,
  ];
  const parseError = kind === 'ITL' ? 'Error parsing the ITL file!!' : 'Error parsing the CTL File.';
  const parsed = parseTrustList(data);
  if (!parsed.ok) {
    lines.push(parseError);
    return { lines, ok: false };
  }
  const list = parsed.list;
  lines.push(
    '',
    `\tParse ${kind} File`.replace('\t', '        '),
    '        ----------------',
    '',
    tabs('Version:', `${list.version[0]}.${list.version[1]}`),
    tabs('HeaderLength:', `${list.headerLength} (BYTES)`),
    '',
    tabs('BYTEPOS', 'TAG', '', 'LENGTH', 'VALUE'),
    tabs('-------', '---', '', '------', '-----'),
    ...headerLines(list),
  );
  const signer = signerRecord(list);
  list.records.forEach((r, i) => {
    lines.push('', `        ${kind} Record #:${i + 1}`, '        ----', tabs('BYTEPOS', 'TAG', '', 'LENGTH', 'VALUE'), tabs('-------', '---', '', '------', '-----'));
    for (const f of r.fields) lines.push(recordFieldLine(f));
    if (r.func === Role.SAST) {
      lines.push(r === signer ? `This etoken was used to sign the ${kind} file.` : `This etoken was not used to sign the ${kind} file.`);
    }
  });
  lines.push('');
  if (verifyTrustList(data, list)) {
    lines.push(`The ${kind} file was verified successfully.`);
    return { lines, ok: true };
  }
  lines.push(`Verification of the ${kind} file failed.`, parseError);
  return { lines, ok: false };
}

/** Modification time: the simulated clock's record of the write, else the file system's. */
export function fileMtime(ctx: CommandContext, file: string): number {
  const m = ctx.lab.tftpMtime(ctx.node, file);
  if (m !== undefined) return m;
  try {
    return statSync(join(ctx.lab.tftpDir(ctx.node), file)).mtimeMs;
  } catch {
    return ctx.lab.nowMs();
  }
}

export function showItl(ctx: CommandContext): number {
  const data = ctx.lab.readTftp(ctx.node, 'ITLFile.tlv');
  if (!data || data.length === 0) {
    ctx.out('Length of ITL file: 0', 'ITL File not found.', 'Error parsing the ITL file!!');
    return 0;
  }
  const r = describeTrustList('ITL', data, fileMtime(ctx, 'ITLFile.tlv'), ctx.lab.state.timezone);
  ctx.out(...r.lines);
  return 0;
}

export function showCtl(ctx: CommandContext): number {
  const data = ctx.lab.readTftp(ctx.node, 'CTLFile.tlv');
  if (!data || data.length === 0) {
    ctx.out(
      'Length of CTL file: 0',
      'CTL File not found. Please run CTLClient plugin or run the CLI - utils ctl.. to generate the CTL file.',
      'Error parsing the CTL File.',
    );
    return 0;
  }
  const r = describeTrustList('CTL', data, fileMtime(ctx, 'CTLFile.tlv'), ctx.lab.state.timezone);
  ctx.out(...r.lines);
  return 0;
}
