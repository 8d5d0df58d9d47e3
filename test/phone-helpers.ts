// Helpers for the phone and lab console tests: drive the lab console like script mode, read back
// phone states and the checksums the admin: CLI prints.
import { expect } from 'vitest';
import type { Lab } from '../state/cluster/lab.js';
import { LabConsole } from '../src/console/lab-console.js';
import { drive } from '../src/console/drive.js';
import { findPhone, fleet } from '../state/phones/fleet.js';
import type { PhoneState } from '../state/phones/model.js';
import { installedLists } from '../state/phones/trustlists.js';
import { transcript } from './helpers.js';

/** Runs lab console lines with queued answers; returns what a terminal would show. */
export async function labRun(lab: Lab, lines: string[], answers: string[] = []) {
  const con = new LabConsole({ lab, width: 200 });
  let text = '';
  const queue = [...answers];
  const statuses: number[] = [];
  for (const line of lines) {
    // one queue for all lines; running out of answers cancels the command
    const r = await drive(con, line, { answers: () => queue.shift(), prompt: true, onOutput: (t) => (text += t) });
    statuses.push(r.status);
  }
  return { text, statuses };
}

/** Runs admin: lines and fails the test if any of them failed. */
export async function admin(lab: Lab, lines: string[], opts: { node?: string; answers?: string[] } = {}) {
  const r = await transcript(lab, lines, opts);
  if (r.statuses.some((s) => s !== 0)) throw new Error(`admin command failed:\n${r.text}`);
  return r.text;
}

/** Runs lab console lines and fails the test if any of them failed. */
export async function lab(labObj: Lab, lines: string[], answers: string[] = []) {
  const r = await labRun(labObj, lines, answers);
  if (r.statuses.some((s) => s !== 0)) throw new Error(`lab console command failed:\n${r.text}`);
  return r.text;
}

/** The MD5 `show itl` / `show ctl` prints on a node. */
export async function shownMd5(labObj: Lab, what: 'itl' | 'ctl', node?: string): Promise<string> {
  const text = await admin(labObj, [`show ${what}`], { node });
  const m = /The checksum value of the (?:ITL|CTL) file:\n([0-9a-f]{32})\(MD5\)/.exec(text);
  if (!m) throw new Error(`no checksum in:\n${text}`);
  return m[1];
}

export function phones(labObj: Lab, filter: (p: PhoneState) => boolean = () => true): PhoneState[] {
  return fleet(labObj).phones.filter(filter);
}

export const sbd = (p: PhoneState) => p.model !== '7940';

export function phone(labObj: Lab, name: string): PhoneState {
  const p = findPhone(labObj, name);
  if (!p) throw new Error(`no phone ${name}`);
  return p;
}

export function itlMd5(p: PhoneState): string | undefined {
  return p.itl;
}

export function ctlMd5(p: PhoneState): string | undefined {
  return p.ctl;
}

export function lastStatus(p: PhoneState): string | undefined {
  return p.statusMessages[p.statusMessages.length - 1]?.text;
}

/** Status messages added since a given count. */
export function statusSince(p: PhoneState, before: number): string[] {
  return p.statusMessages.slice(before).map((m) => m.text);
}

export function itlSigner(labObj: Lab, p: PhoneState): string | undefined {
  return installedLists(labObj, p).itl?.signerName;
}

export function expectTrust(list: PhoneState[], state: PhoneState['trust']): void {
  expect(list.length).toBeGreaterThan(0);
  for (const p of list) expect({ phone: p.name, trust: p.trust }).toEqual({ phone: p.name, trust: state });
}
