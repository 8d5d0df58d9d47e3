// Whole-output golden files for a deterministic lab (seed 1, clock 2025-01-06T09:00:00Z).
// Regenerate after an intended change with: UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededLab, cleanup, transcript } from './helpers.js';
import { CliSession } from '../src/console/admin-console.js';
import type { Lab } from '../state/cluster/lab.js';

const DIR = join(__dirname, 'golden');

/** Compares with the stored file; only UPDATE_GOLDEN=1 writes one, so a missing file fails. */
function golden(name: string, actual: string): void {
  const path = join(DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  else if (!existsSync(path)) throw new Error(`golden file ${path} is missing; create it with UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts and review it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

let lab: Lab;
beforeAll(async () => {
  lab = await seededLab({ seed: 1 });
});
afterAll(() => cleanup(lab));

describe('golden outputs', () => {
  it('show itl on the publisher', async () => {
    golden('show-itl.txt', (await transcript(lab, ['show itl'])).text);
  });

  it('show ctl while the cluster has no CTL', async () => {
    golden('show-ctl-none.txt', (await transcript(lab, ['show ctl'])).text);
  });

  it('file list tftp, plain and detailed', async () => {
    golden('file-list-tftp.txt', (await transcript(lab, ['file list tftp *', 'file list tftp * detail', 'file list tftp *.tlv'])).text);
  });

  it('utils service list on the publisher and on a subscriber', async () => {
    const pub = (await transcript(lab, ['utils service list'])).text;
    const sub = (await transcript(lab, ['utils service list'], { node: 'cucm-sub1' })).text;
    golden('utils-service-list.txt', pub + sub);
  });

  it('help, ? and Tab', async () => {
    const s = new CliSession({ lab, node: lab.publisher() });
    const out: string[] = [];
    for (const line of ['', 'show ', 'show itl', 'file list tftp', 'set cert regen', 'utils ctl', 'utils ctl ', 'utils service restart', 'sh']) {
      out.push(`admin:${line}?`, ...s.question(line));
    }
    for (const line of ['sh', 'show', 'show ', 'utils c', 'utils ctl ', 'set cert regen C', 'utils service restart Cisco T', 'utils service restart Cisco Tf', 'show itl']) {
      const c = s.completion(line);
      out.push(`[tab] admin:${line}`, ...(c.list ?? []), `=> admin:${c.line}`);
    }
    const help = (await transcript(lab, ['help show itl', 'help file list tftp', 'help utils ctl'])).text;
    golden('help.txt', out.join('\n') + '\n' + help);
  });

  it('errors for unknown, incomplete and malformed commands', async () => {
    const r = await transcript(lab, ['foo', 'show foo', 'utils ctl', 'file list tftp', 'show itl extra', 'set cert regen Tomcat', 'uname -a']);
    expect(r.statuses).toEqual([1, 1, 1, 1, 1, 1, 1]);
    golden('errors.txt', r.text);
  });

  it('show ctl after moving to mixed mode, identical on every node', async () => {
    const m = await transcript(lab, ['utils ctl set-cluster mixed-mode', 'show ctl'], { answers: ['y'] });
    golden('mixed-mode-show-ctl.txt', m.text);
    const sub = await transcript(lab, ['show ctl'], { node: 'cucm-sub2' });
    const sums = (t: string) => t.split('\n').slice(1, 3).join('\n');
    expect(sums(sub.text)).toBe(sums(m.text.slice(m.text.indexOf('admin:show ctl'))));
  });
});
