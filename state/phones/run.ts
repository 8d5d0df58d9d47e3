// One run of a phone's firmware: the console log and status messages it writes, in the phone's own
// clock and the lab's time zone, and the TFTP requests it makes.
import { createHash } from 'node:crypto';
import type { Lab, NodeState } from '../cluster/lab.js';
import { phoneLogLines } from '../cluster/state.js';
import { PhoneState, supportsSbd } from './model.js';
import { servedFile, tftpServing } from './tftpfiles.js';

// Status messages are few and short; the console log's bound is a lab parameter (phoneLogLines).
const MAX_STATUS = 30;

const TZ_FMT = new Map<string, Intl.DateTimeFormat>();
function clockText(us: number, tz: string): string {
  let f = TZ_FMT.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    } catch {
      f = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    }
    TZ_FMT.set(tz, f);
  }
  const sec = Math.floor(us / 1_000_000);
  const micro = String(Math.floor(us % 1_000_000)).padStart(6, '0');
  // a boot logs dozens of lines within the same second: format each second once
  if (LAST.tz !== tz || LAST.sec !== sec) {
    const parts: Record<string, string> = {};
    for (const x of f.formatToParts(new Date(sec * 1000))) parts[x.type] = x.value;
    LAST.tz = tz;
    LAST.sec = sec;
    LAST.text = `${parts.hour}:${parts.minute}:${parts.second}`;
  }
  return `${LAST.text}.${micro}`;
}
const LAST = { tz: '', sec: NaN, text: '' };

/** Keeps the newest `max` lines of a phone's console log (a ring: the oldest go first). */
export function trimLog(p: PhoneState, max: number): void {
  if (p.log.length > max) p.log.splice(0, p.log.length - max);
}

/** hh:mm:ss of a lab time in the lab's time zone, as a phone shows it. */
export function statusTime(lab: Lab, ms: number): string {
  return clockText(ms * 1000, lab.state.timezone).slice(0, 8);
}

/** One run of the phone's firmware: writes the console log and status messages as it goes. */
export class PhoneRun {
  readonly sbd: boolean;
  refused = false;
  constructor(
    readonly lab: Lab,
    readonly p: PhoneState,
  ) {
    this.sbd = supportsSbd(p.model);
    const start = lab.nowMs() * 1000 + 1_500_000;
    if (p.clockUs < start) p.clockUs = start;
  }

  private step(): number {
    // deterministic spacing between log lines: 0.6 to 12 ms
    const h = createHash('sha1').update(`${this.p.name}:${this.p.logSeq}`).digest();
    return 600 + (h.readUInt16BE(0) % 11400);
  }

  log(text: string, sev: 'NOT' | 'ERR' = 'NOT'): void {
    const p = this.p;
    p.clockUs += this.step();
    p.logSeq += 1;
    p.log.push(`${p.logSeq}: ${sev} ${clockText(p.clockUs, this.lab.state.timezone)} ${text}`);
    trimLog(p, phoneLogLines(this.lab.state));
  }

  status(text: string): void {
    const p = this.p;
    p.statusMessages.push({ at: Math.floor(p.clockUs / 1000), text });
    if (p.statusMessages.length > MAX_STATUS) p.statusMessages.splice(0, p.statusMessages.length - MAX_STATUS);
  }

  tftpNode(): NodeState | undefined {
    return this.lab.node(this.p.tftpNode);
  }

  /** A TFTP read from the phone's server; undefined when not found, null when the server does not answer. */
  tftpGet(file: string, sizeLimit?: number): Buffer | undefined | null {
    const node = this.tftpNode();
    const p = this.p;
    p.tftpSeq = (p.tftpSeq % 99) + 1;
    const id = p.tftpSeq;
    const ip = node?.ip ?? p.tftpNode;
    this.log(`TFTP: [${id}]:Requesting ${file} from ${ip}${sizeLimit ? ` with size limit of ${sizeLimit}` : ''}`);
    if (!node || !tftpServing(this.lab, node)) {
      this.log(`TFTP: [${id}]:Timeout --> no response from ${ip}`, 'ERR');
      return null;
    }
    const data = servedFile(this.lab, node, file);
    if (!data) {
      this.log(`TFTP: [${id}]:Error --> File not found`, 'ERR');
      return undefined;
    }
    this.log(`TFTP: [${id}]:Finished --> rcvd ${data.length} bytes`);
    return data;
  }
}
