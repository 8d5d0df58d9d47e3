// Comparing a seed passage (../shared/seeds, quoted in test/fixtures/seeds) with the emulator's transcript.
//
// THE NORMALISATION RULE. Two transcripts agree when they print the same words, in the same order,
// line by line, once what depends on the document that quoted them or on the system that printed them
// is set aside. Both sides go through the same steps; steps 2 and 3 are for the seed side alone,
// because they repair what the seeds' conversion to Markdown and translation did to the text.
//  1. Layout: code fences, blank lines and underlines (only '-', '=' and spaces) are dropped; Markdown
//     bold (**) and no-break spaces go; runs of whitespace are one space (the seeds collapsed the
//     CLI's column padding); the prompt 'admin:' is dropped at the start and at the end of a line.
//     A line of only '[...]' or '[..]' is the document's elision: it stands for any number of lines,
//     and so does the start or end of a passage the seed quotes from the middle of an output.
//  2. (seed) Garbles, each one seen against another copy of the same output: the tag ISSUERNAME is
//     also printed ISSUENAME or ISSUERNAM (the same listing, or its twin seed, has ISSUERNAME in the
//     same place); a '<' stuck to the end of a date (001 line 321).
//  3. (seed) Wrapped hashes: a line of hex byte pairs, or '(SHA1 Hash HEX)', that continues an
//     unfinished CERTIFICATE/CERTHASH row is joined to it.
//  4. Values that differ per system become placeholders of their kind: the nodes' names (host names
//     and certificate common names, mapped per side by the caller) -> <pub>, <sub1>, ...; the SFTP
//     server's name -> <sftp-host>; dates -> <date>; MD5/SHA1 checksums -> <md5>/<sha1>; colon-hex
//     serial numbers -> <serial>; 20-byte hex certificate hashes -> <hash>; SSH key fingerprints ->
//     <fingerprint>; IPv4 addresses -> <ip>; the hex suffix of CAPF-xxxxxxxx and SAST-ADNxxxxxxxx
//     -> <id>; an echoed password's stars -> <stars>; signature byte rows -> <bytes>, consecutive
//     rows counting as one (the size is the SIGNATURE row's; 001's second listing lost a row); and
//     lengths that follow from node names -> <len>: the length of a name row whose value holds a
//     node name; in a record (or the signer header) that names a node anywhere, its RECORDLENGTH,
//     SIGNERID and CERTIFICATE lengths (the certificate carries the name); HeaderLength, non-zero
//     file lengths and file sizes in Bytes/Kbytes. Key sizes (PUBLICKEY, SIGNATURE), serial
//     lengths and the lengths in records that name no node (eToken records) stay literal.
//  5. Lines are compared with whitespace removed. Where the document moved a line break (a wrapped
//     DN or message, or two output lines run together) up to three lines on one side may match up to
//     three on the other when their concatenations are equal.
//  6. Placeholder values must correspond one to one along the alignment: within one passage the
//     same seed value always stands opposite the same emulator value, and different ones opposite
//     different ones (so "the signer's serial is record 1's serial" or "the date moved" still count).
//     Signature bytes, lengths and stars are not tracked.

export interface Names {
  /** placeholder (without brackets) -> the names that stand for it on this side, e.g. pub -> [fqdn, host] */
  nodes: Record<string, string[]>;
  /** names of the SFTP server as typed or printed on this side */
  sftpHost?: string[];
}

export interface NormLine {
  /** the line after steps 1-4, whitespace collapsed (for messages) */
  text: string;
  /** text without any whitespace: what is compared */
  key: string;
  /** tracked placeholder values in order of appearance: [kind, original value] */
  values: Array<[string, string]>;
  /** line number in the input, counted from firstLine */
  from: number;
  /** the original line, for messages */
  raw: string;
  elision?: boolean;
}

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MON = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Tracked value patterns, applied in this order (each on what the previous ones left). */
const TRACKED: Array<[kind: string, re: RegExp, replace?: (m: string, ...g: string[]) => [value: string, text: string]]> = [
  ['date', new RegExp(`\\b${DAY} ${MON} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d [A-Z]{2,5} \\d{4}\\b`, 'g')],
  ['sha1', /\b[0-9a-f]{40}\b/g],
  ['md5', /\b[0-9a-f]{32}\b/g],
  ['fingerprint', /\b(?:[0-9a-f]{2}:){15}[0-9a-f]{2}\b/g],
  ['serial', /\b(?:[0-9A-F]{2}:){3,}[0-9A-F]{2}\b/g],
  // the last 20 byte pairs of the row: the LENGTH column before them may look like one too
  ['hash', /\b(?:[0-9A-F]{2} ){19}[0-9A-F]{2}(?= \(SHA1 Hash HEX\)$|$)/g],
  ['ip', /\b\d{1,3}(?:\.\d{1,3}){3}\b/g],
  ['id', /\b(CAPF-|SAST-ADN)([0-9a-f]{8})\b/g, (_m, p, v) => [v, `${p}<id>`]],
];

function tidy(raw: string): string {
  return raw
    .replace(/\u00a0/g, ' ')
    .replace(/\*\*/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^admin: ?/, '')
    .replace(/(^| )admin:$/, '')
    .trim();
}

function garbles(s: string): string {
  return s.replace(/^(\d+ )(?:ISSUENAME|ISSUERNAM)\b/, '$1ISSUERNAME').replace(/(\d{4})<$/, '$1');
}

const HEX_ROW = /^\d+ (?:CERTIFICATE|CERTHASH) \d+ ((?:[0-9A-F]{2} ?)*)$/;
const HEX_CONT = /^(?:(?:[0-9A-F]{2} )*[0-9A-F]{2}(?: \(SHA1 Hash HEX\))?|\(SHA1 Hash HEX\))$/;

function placeholders(text: string, names: Names): { text: string; values: Array<[string, string]> } {
  let s = text;
  const nameList: Array<[string, string]> = [];
  for (const [ph, list] of Object.entries(names.nodes)) for (const n of list) nameList.push([n, `<${ph}>`]);
  for (const n of names.sftpHost ?? []) nameList.push([n, '<sftp-host>']);
  // longest first, so a domain name is taken whole before its host part
  nameList.sort((a, b) => b[0].length - a[0].length);
  for (const [n, ph] of nameList) s = s.replace(new RegExp(`(?<![A-Za-z0-9-])${escape(n)}(?![A-Za-z0-9-])`, 'g'), ph);

  // each kind's values in the order they stand in the line; the markers then give the order across kinds
  const byKind = new Map<string, string[]>();
  for (const [kind, re, rep] of TRACKED) {
    s = s.replace(re, (m: string, ...rest: unknown[]) => {
      const [value, out] = rep ? rep(m, ...(rest.slice(0, -2) as string[])) : [m, `<${kind}>`];
      byKind.set(kind, [...(byKind.get(kind) ?? []), value]);
      return out;
    });
  }
  const markers = [...s.matchAll(/<(date|sha1|md5|fingerprint|serial|hash|ip|id)>/g)].map((m) => m[1]);
  const values: Array<[string, string]> = markers.map((k) => [k, byKind.get(k)!.shift()!]);

  s = s
    .replace(/^(?:[0-9a-f]{1,2} ){7}[0-9a-f]{1,2}$/, '<bytes>')
    .replace(/^(Password:) \*+$/, '$1 <stars>')
    .replace(/^(\d+ (?:SUBJECTNAME|ISSUERNAME|SIGNERNAME|CANAME|DNSNAME)) \d+( .*<(?:pub|sub\d+)>)/, '$1 <len>$2')
    .replace(/^HeaderLength: \d+/, 'HeaderLength: <len>')
    .replace(/^(Length of (?:ITL|CTL) file:) [1-9]\d*$/, '$1 <len>')
    .replace(/^(Total size in (?:Bytes|Kbytes):) [\d.]+$/, '$1 <len>');
  return { text: s, values };
}

/** Steps 1-4 of the rule on one side. */
export function normalise(input: string, side: 'seed' | 'emulator', names: Names, firstLine = 1): NormLine[] {
  const out: NormLine[] = [];
  input.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*```/.test(raw)) return;
    let t = tidy(raw);
    if (t === '' || /^[-=\s]+$/.test(t)) return;
    if (side === 'seed' && /^\[\.{2,3}\]$/.test(t)) {
      out.push({ text: t, key: t, values: [], from: i + firstLine, raw, elision: true });
      return;
    }
    if (side === 'seed') {
      t = garbles(t);
      const prev = out[out.length - 1];
      const open = prev && !prev.elision ? HEX_ROW.exec(prev.text) : null;
      if (open && HEX_CONT.test(t) && !/\(SHA1 Hash HEX\)$/.test(prev.text)) {
        prev.text = `${prev.text} ${t}`;
        prev.raw = `${prev.raw}\n${raw}`;
        return;
      }
    }
    out.push({ text: t, key: '', values: [], from: i + firstLine, raw });
  });
  const done: NormLine[] = [];
  for (const l of out) {
    if (!l.elision) {
      const p = placeholders(l.text, names);
      l.text = p.text;
      l.values = p.values;
      l.key = p.text.replace(/\s+/g, '');
    }
    if (l.text === '<bytes>' && done[done.length - 1]?.text === '<bytes>') continue;
    done.push(l);
  }
  // a record's length and its certificate's length follow from node names only when it names a node
  const block = /^(?:(?:ITL|CTL) Record #:\d+|Parse (?:ITL|CTL) File)$/;
  for (let i = 0; i < done.length; i++) {
    if (!block.test(done[i].text)) continue;
    let end = i + 1;
    while (end < done.length && !block.test(done[end].text) && !done[end].elision) end++;
    if (!done.slice(i, end).some((l) => /<(?:pub|sub\d+)>/.test(l.text))) continue;
    for (const l of done.slice(i, end)) {
      l.text = l.text.replace(/^(\d+ (?:RECORDLENGTH|SIGNERID) \d+) \d+$/, '$1 <len>').replace(/^(\d+ CERTIFICATE) \d+/, '$1 <len>');
      l.key = l.text.replace(/\s+/g, '');
    }
  }
  return done;
}

interface Step {
  i: number;
  j: number;
  a: number;
  b: number;
}

/** Steps 5 and 6: the differences between a normalised seed passage and a normalised transcript (empty when they agree). */
export function compare(seed: NormLine[], emu: NormLine[], opts: { elidedBefore?: boolean; elidedAfter?: boolean } = {}): string[] {
  // a passage quoted out of the middle of an output: the document left out what came before or after
  const gap = (): NormLine => ({ text: '[...]', key: '[...]', values: [], from: 0, raw: '', elision: true });
  seed = [...(opts.elidedBefore ? [gap()] : []), ...seed, ...(opts.elidedAfter ? [gap()] : [])];
  const memo = new Map<number, Step[] | null>();
  let deepest = { i: -1, j: 0 };
  const W = emu.length + 1;
  const join = (ls: NormLine[], from: number, n: number) => (from + n <= ls.length && !ls.slice(from, from + n).some((l) => l.elision) ? ls.slice(from, from + n).map((l) => l.key).join('') : undefined);

  const go = (i: number, j: number): Step[] | null => {
    const id = i * W + j;
    if (memo.has(id)) return memo.get(id)!;
    memo.set(id, null);
    if (i > deepest.i || (i === deepest.i && j > deepest.j)) deepest = { i, j };
    let r: Step[] | null = null;
    if (i === seed.length) r = j === emu.length ? [] : null;
    else if (seed[i].elision) {
      for (let k = j; k <= emu.length && !r; k++) {
        const rest = go(i + 1, k);
        if (rest) r = rest;
      }
    } else {
      outer: for (const [a, b] of [[1, 1], [1, 2], [2, 1], [1, 3], [3, 1], [2, 2], [2, 3], [3, 2], [3, 3]]) {
        const s = join(seed, i, a);
        const e = join(emu, j, b);
        if (s === undefined || e === undefined || s !== e) continue;
        const rest = go(i + a, j + b);
        if (rest) {
          r = [{ i, j, a, b }, ...rest];
          break outer;
        }
      }
    }
    memo.set(id, r);
    return r;
  };

  const path = go(0, 0);
  if (!path) {
    const { i, j } = deepest;
    if (i >= seed.length) return [`the seed passage ends, the emulator goes on:`, ...emu.slice(j, j + 5).map((l) => `  emulator: ${l.text}`)];
    const s = seed[i];
    return [
      `first difference at seed line ${s.from}:`,
      `  seed:     ${s.text}`,
      ...(j < emu.length ? emu.slice(j, j + 3).map((l) => `  emulator: ${l.text}`) : ['  emulator: (output ended)']),
    ];
  }

  // one-to-one correspondence of tracked values along the alignment
  const problems: string[] = [];
  const fwd = new Map<string, string>();
  const back = new Map<string, string>();
  for (const st of path) {
    const sv = seed.slice(st.i, st.i + st.a).flatMap((l) => l.values);
    const ev = emu.slice(st.j, st.j + st.b).flatMap((l) => l.values);
    sv.forEach(([kind, v], n) => {
      const w = ev[n]?.[1];
      if (w === undefined) return;
      const fk = `${kind}\u0000${v}`;
      const bk = `${kind}\u0000${w}`;
      if (fwd.has(fk) && fwd.get(fk) !== w) problems.push(`seed line ${seed[st.i].from}: ${kind} ${v} stood for ${fwd.get(fk)} earlier, here for ${w}`);
      else if (back.has(bk) && back.get(bk) !== v) problems.push(`seed line ${seed[st.i].from}: emulator ${kind} ${w} stood for ${back.get(bk)} earlier, here for ${v}`);
      fwd.set(fk, w);
      back.set(bk, v);
    });
  }
  return problems;
}
