// The dashboard in a real browser: Debian's Chromium driven by playwright-core signs in, sees the
// class table, and watches a trainee's phone count change while that trainee works over SSH (no
// reload: the page's event stream carries it). A screenshot of the page is kept under test/artifacts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Classroom } from '../src/class/classroom.js';
import { classEndpoints } from '../src/class/endpoints.js';
import { drive } from '../src/console/drive.js';
import { serveLabs, type RunningServer } from '../src/frontends/ssh/server.js';
import { startDashboard, type Dashboard } from '../src/dashboard/server.js';
import { ShellSession } from '../scripts/ssh-harness.js';
import { tempDir } from './helpers.js';
import { requireDist } from './prerequisites.js';

const CHROMIUM = '/usr/bin/chromium';
const LAB_PW = 'instructor-pw-2';
const T01_PW = 'trainee-one-pw';
const ARTIFACTS = resolve(import.meta.dirname, 'artifacts');

let dir: string;
let profile: string;
let room: Classroom;
let ssh: RunningServer;
let dash: Dashboard;
let browser: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install the Debian package chromium (.ci/run does)`);
  requireDist('dashboard/app.js', 'dashboard/app.css');
  dir = tempDir('cucm-sim-dash-');
  room = await Classroom.open(dir, {
    trainees: [
      { name: 't01', password: T01_PW },
      { name: 't02', password: 'trainee-two-pw' },
    ],
    seed: 1,
    clock: '2025-01-06T09:00:00Z',
    labPassword: LAB_PW,
  });
  // the instructor breaks t01's lab before class: a DRS restore without CallManager.pem, phones reset
  const con = room.labConsole('t01');
  await drive(con, 'drs backup');
  const id = /\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}/.exec((await drive(con, 'drs list')).output)![0];
  expect((await drive(con, `drs restore ${id} without-callmanager-pem`, { answers: ['yes'] })).status).toBe(0);
  expect((await drive(con, 'phones reset all')).status).toBe(0);
  ssh = await serveLabs(classEndpoints(room), { host: '127.0.0.1', port: 0, log: () => {} });
  dash = await startDashboard(room, { password: LAB_PW, port: 0 });
  profile = mkdtempSync(join(tmpdir(), 'cucm-sim-chromium-'));
  // a fresh profile: playwright passes it to Chromium as --user-data-dir
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  await ssh?.close();
  room?.close();
  for (const d of [dir, profile]) if (d) rmSync(d, { recursive: true, force: true });
});

const cell = (page: Page, trainee: string, col: string) => page.locator(`tr[data-trainee="${trainee}"] td[data-col="${col}"]`);

describe('the dashboard in Chromium', () => {
  it('signs in, shows the class, and follows a trainee fixing their phones over SSH', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(dash.url);
    await page.getByLabel('Lab password').fill(LAB_PW);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('table').waitFor();
    // a semantic table: a header cell per column and per trainee row
    expect(await page.locator('thead th[scope="col"]').count()).toBeGreaterThan(5);
    expect(await page.locator('tbody th[scope="row"]').allTextContents()).toEqual(['t01', 't02']);
    // 12 phones: after the restore only the 7940 (no ITL) registers; t02 is untouched
    await expect.poll(() => cell(page, 't01', 'registered').textContent(), { timeout: 10_000 }).toBe('1/12');
    expect(await cell(page, 't01', 'locked').textContent()).toBe('11');
    expect(await cell(page, 't02', 'registered').textContent()).toBe('12/12');

    // keyboard: Down moves from t01's link to t02's
    await page.locator('tr[data-trainee="t01"] th a').focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('t02');

    // t01 logs in over SSH, types some markup (it must stay text), regenerates CallManager on the
    // publisher and restarts Tftp and TVS (seeds 000/003)
    const t01 = await ShellSession.open({ port: ssh.ports[0], username: 't01', password: T01_PW });
    try {
      await expect.poll(() => cell(page, 't01', 'online').textContent(), { timeout: 10_000 }).toBe('1');
      await t01.command('show <img src=x onerror=alert(1)>');
      t01.write('set cert regen CallManager\r');
      await t01.expect(/\(yes\|no\)\? $/);
      await t01.command('yes');
      await t01.command('utils service restart Cisco Tftp');
      await t01.command('utils service restart Cisco Trust Verification Service');
      // the phones reset (the instructor's Reset button): the publisher's 8 Security-By-Default
      // phones of DP-Main trust the new ITL through TVS; DP-Branch's 3 phones use cucm-sub2, still broken
      expect((await drive(room.labConsole('t01'), 'phones reset all')).status).toBe(0);
      await expect.poll(() => cell(page, 't01', 'registered').textContent(), { timeout: 10_000 }).toBe('9/12');
      expect(await cell(page, 't01', 'locked').textContent()).toBe('3');
      expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);

      mkdirSync(ARTIFACTS, { recursive: true });
      const shot = join(ARTIFACTS, 'dashboard-overview.png');
      writeFileSync(shot, await page.screenshot({ fullPage: true }));
      const png = readFileSync(shot);
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(png.length).toBeGreaterThan(1000);

      // the detail page: t01's live transcript, markup shown as typed, never as an element
      await page.getByRole('link', { name: 't01' }).click();
      const transcript = page.getByTestId('transcript');
      await expect.poll(() => transcript.textContent(), { timeout: 10_000 }).toContain('show <img src=x onerror=alert(1)>');
      expect(await page.locator('pre.transcript img').count()).toBe(0);
      await t01.command('show myself');
      // as the trainee saw it: the command on the line of the prompt it was typed at
      await expect.poll(() => transcript.textContent(), { timeout: 10_000 }).toContain('\nadmin:show myself\nMachine Name');
      expect(await transcript.textContent()).not.toMatch(/admin:\n(show myself|Machine Name)/);
      writeFileSync(join(ARTIFACTS, 'dashboard-trainee.png'), await page.screenshot({ fullPage: true }));
    } finally {
      t01.close();
    }
    // no request left the process
    const origin = new URL(dash.url).origin;
    expect(requests.filter((u) => !u.startsWith(origin))).toEqual([]);
  });
});
