// The dashboard's server against a real class: sign-in (password, cookie flags, attempts per
// address), CSRF on actions, the page's own assets only, the live stream and its limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { Classroom } from '../src/class/classroom.js';
import { startDashboard, type Dashboard } from '../src/dashboard/server.js';
import { drive } from '../src/console/drive.js';
import { tempDir } from './helpers.js';
import { requireDist } from './prerequisites.js';

const LAB_PW = 'instructor-pw-1';
let dir: string;
let room: Classroom;
let dash: Dashboard;

beforeAll(async () => {
  requireDist('dashboard/app.js', 'dashboard/app.css');
  dir = tempDir('cucm-sim-dash-');
  room = await Classroom.open(dir, {
    trainees: [
      { name: 't01', password: 'trainee-one-pw' },
      { name: 't02', password: 'trainee-two-pw' },
    ],
    seed: 1,
    clock: '2025-01-06T09:00:00Z',
    labPassword: LAB_PW,
  });
  dash = await startDashboard(room, { password: LAB_PW, port: 0, maxClients: 3, loginAttempts: 3, bodyLimit: 2048 });
});

afterAll(async () => {
  await dash?.close();
  room?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const url = (path: string) => new URL(path, dash.url).href;
const post = (path: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(url(path), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body).toString() });

/** Signs in and returns the cookie and the page's CSRF token. */
async function signIn(from?: string): Promise<{ cookie: string; csrf: string }> {
  const r = await post('/login', { password: LAB_PW }, from ? { 'x-test': from } : {});
  expect(r.status).toBe(303);
  const set = r.headers.get('set-cookie') ?? '';
  expect(set).toMatch(/HttpOnly/);
  expect(set).toMatch(/SameSite=Strict/);
  const cookie = set.split(';')[0];
  const page = await (await fetch(url('/'), { headers: { cookie } })).text();
  const boot = /<script type="application\/json" id="boot">(.*?)<\/script>/.exec(page);
  expect(boot, page).not.toBeNull();
  return { cookie, csrf: JSON.parse(boot![1]).csrf };
}

/** Reads an event stream until `until` accepts a message (deadline-bounded); returns the messages. */
async function readStream(res: Response, until: (m: { type: string; [k: string]: unknown }) => boolean, timeoutMs = 10_000) {
  const reader = res.body!.getReader();
  const seen: Array<{ type: string; [k: string]: unknown }> = [];
  let buf = '';
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; saw ${JSON.stringify(seen).slice(0, 500)}`);
      const r = await Promise.race([reader.read(), new Promise<'timeout'>((ok) => setTimeout(() => ok('timeout'), left))]);
      if (r === 'timeout') continue;
      if (r.done) throw new Error(`stream ended; saw ${JSON.stringify(seen).slice(0, 500)}`);
      buf += Buffer.from(r.value).toString('utf8');
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const m = JSON.parse(data.slice(6));
        seen.push(m);
        if (until(m)) return seen;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

describe('dashboard sign-in', () => {
  it('sends an unknown browser to the sign-in form, which loads nothing from elsewhere', async () => {
    const r = await fetch(url('/'), { redirect: 'manual' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login');
    const login = await fetch(url('/login'));
    const html = await login.text();
    expect(html).toContain('<form method="post" action="/login">');
    // every asset is the process's own: no absolute URL in the page, and the CSP forbids others
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(login.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await fetch(url('/assets/app.js'))).headers.get('content-type')).toMatch(/javascript/);
  });

  it('refuses a wrong password, then the address after 3 failures', async () => {
    const wrong = await post('/login', { password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    await post('/login', { password: 'nope2' });
    await post('/login', { password: 'nope3' });
    const blocked = await post('/login', { password: LAB_PW });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.text()).toContain('Too many failed sign-ins');
  });
});

describe('dashboard actions and stream', () => {
  let session: { cookie: string; csrf: string };
  beforeAll(async () => {
    // the previous test used up 127.0.0.1's budget: a new server has its own
    await dash.close();
    dash = await startDashboard(room, { password: LAB_PW, port: 0, maxClients: 3, loginAttempts: 3, bodyLimit: 2048 });
    session = await signIn();
  });

  it('refuses an action without the token or from another site, and runs it with the token', async () => {
    const noToken = await post('/action/message', { who: 't01', text: 'hello' }, { cookie: session.cookie });
    expect(noToken.status).toBe(403);
    const otherSite = await post('/action/message', { who: 't01', text: 'hello', csrf: session.csrf }, { cookie: session.cookie, origin: 'http://evil.example' });
    expect(otherSite.status).toBe(403);
    const ok = await post('/action/message', { who: 't01', text: 'hello', csrf: session.csrf, back: '/trainee/t01' }, { cookie: session.cookie });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/trainee/t01');
    const page = await (await fetch(url('/trainee/t01'), { headers: { cookie: session.cookie } })).text();
    expect(page).toContain('Message sent to t01.');
    // a return address off the site is not followed
    const away = await post('/action/message', { who: 't01', text: 'hi', csrf: session.csrf, back: '//evil.example/' }, { cookie: session.cookie });
    expect(away.headers.get('location')).toBe('/');
  });

  it('refuses a body over the limit and a foreign Host header', async () => {
    const big = await post('/action/message', { who: 't01', text: 'x'.repeat(4000), csrf: session.csrf }, { cookie: session.cookie });
    expect(big.status).toBe(413);
    // fetch will not send another Host: node's http client does (a rebound name reaching 127.0.0.1)
    const status = await new Promise<number | undefined>((ok, fail) =>
      httpGet({ host: '127.0.0.1', port: dash.port, path: '/login', headers: { host: `attacker.example:${dash.port}` } }, (r) => {
        r.resume();
        ok(r.statusCode);
      }).on('error', fail),
    );
    expect(status).toBe(421);
  });

  it('streams the class, then a change of one trainee without asking again', async () => {
    const res = await fetch(url('/events'), { headers: { cookie: session.cookie } });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reading = readStream(res, (m) => m.type === 'rows' && JSON.stringify(m).includes('"locked":11'));
    // the instructor's lab console on t01: a restore without CallManager.pem, then every phone resets
    const con = room.labConsole('t01');
    await drive(con, 'drs backup');
    const list = await drive(con, 'drs list');
    const id = /\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}/.exec(list.output)![0];
    await drive(con, `drs restore ${id} without-callmanager-pem`, { answers: ['yes'] });
    await drive(con, 'phones reset all');
    const seen = await reading;
    expect(seen[0].type).toBe('snapshot');
    const snap = seen[0] as unknown as { trainees: Array<{ name: string; phones: { registered: number } }> };
    expect(snap.trainees.map((t) => t.name)).toEqual(['t01', 't02']);
    // 12 phones, all registered in a new lab; after the restore only the 7940 (no ITL) registers
    expect(snap.trainees[0].phones.registered).toBe(12);
    const last = seen.at(-1) as unknown as { trainees: Array<{ name: string; phones: { registered: number; locked: number } }> };
    expect(last.trainees.map((t) => t.name)).toEqual(['t01']);
    expect(last.trainees[0].phones).toMatchObject({ registered: 1, locked: 11 });
  });

  it('keeps one stream per browser and a cap on all of them', async () => {
    const first = await fetch(url('/events'), { headers: { cookie: session.cookie } });
    const firstDone = readStream(first, (m) => m.type === 'closed');
    const second = await fetch(url('/events'), { headers: { cookie: session.cookie } });
    const closed = await firstDone;
    expect(closed.at(-1)).toMatchObject({ type: 'closed' });
    // maxClients 3: this browser and two more stream, a fourth is refused
    const others = await Promise.all([signIn(), signIn(), signIn()]);
    const streams = await Promise.all(others.slice(0, 2).map((s) => fetch(url('/events'), { headers: { cookie: s.cookie } })));
    expect(streams.map((r) => r.status)).toEqual([200, 200]);
    const refused = await fetch(url('/events'), { headers: { cookie: others[2].cookie } });
    expect(refused.status).toBe(503);
    for (const r of [second, ...streams]) await r.body?.cancel();
  });
});

describe('serve --dashboard on the command line', () => {
  it('takes an optional port and refuses a bad one', async () => {
    const { parseCommon } = await import('../src/cli/args.js');
    expect(parseCommon(['serve', '--trainees', '2', '--dashboard']).flags.dashboard).toBe(8080);
    expect(parseCommon(['serve', '--dashboard', '9090', '--trainees', '2']).flags).toMatchObject({ dashboard: 9090, trainees: 2 });
    expect(parseCommon(['serve', '--dashboard', '--dashboard-host', '0.0.0.0']).flags).toMatchObject({ dashboard: 8080, dashboardHost: '0.0.0.0' });
    expect(() => parseCommon(['serve', '--dashboard=70000'])).toThrow("--dashboard takes a whole number from 0 to 65535 (got '70000')");
    expect(() => parseCommon(['serve', '--dashboard-max-clients', '0'])).toThrow("--dashboard-max-clients takes a whole number above 0, at most 10000 (got '0')");
  });

  it('refuses --dashboard without a class as a usage error: exit 2 and the hint line', async () => {
    const { main } = await import('../src/cli/main.js');
    const d = tempDir('cucm-sim-dash-');
    const err: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
    try {
      expect(await main(['serve', '--data-dir', d, '--dashboard', '8080'])).toBe(2);
    } finally {
      process.stderr.write = write;
      rmSync(d, { recursive: true, force: true });
    }
    expect(err.join('')).toBe("cucm-sim: --dashboard shows a class: give --class FILE or --trainees N\nTry 'cucm-sim serve --help'.\n");
  });
});

describe('serve --trainees N --dashboard', () => {
  it('serves the dashboard beside the class with the limits given on the command line', async () => {
    const { serve } = await import('../src/cli/serve.js');
    const d = tempDir('cucm-sim-dash-');
    let printed = '';
    const write = process.stdout.write;
    process.stdout.write = ((s: string | Uint8Array) => ((printed += s.toString()), true)) as typeof process.stdout.write;
    let stop!: () => void;
    const until = new Promise<void>((r) => (stop = r));
    let finished = false;
    const done = serve({ dataDir: d, trainees: 2, seed: 1, port: 0, tftpPort: 0, labPassword: LAB_PW, dashboard: 0, dashboardLoginAttempts: 1 }, { until }).finally(() => (finished = true));
    try {
      const { waitFor } = await import('./helpers.js');
      await waitFor('the class banner', () => {
        if (finished) throw new Error(`serve ended early: ${printed}`);
        return printed.includes('Press Ctrl-C');
      }, 60_000);
      const m = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(printed);
      expect(m, printed).not.toBeNull();
      const at = (p: string) => new URL(p, m![1]).href;
      expect((await fetch(at('/login'))).status).toBe(200);
      const tryPw = (password: string) =>
        fetch(at('/login'), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ password }).toString() });
      expect((await tryPw('wrong')).status).toBe(401);
      // --dashboard-login-attempts 1: the one failure already blocks this address
      expect((await tryPw(LAB_PW)).status).toBe(429);
    } finally {
      stop();
      const status = await done;
      process.stdout.write = write;
      rmSync(d, { recursive: true, force: true });
      expect(status).toBe(0);
    }
  });
});
