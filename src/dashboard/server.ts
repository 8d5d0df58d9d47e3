// The instructor's dashboard: a Fastify server that signs the instructor in with the lab password,
// serves the page and its bundle (no CDN), streams the class live (server-sent events) and carries
// out the instructor's actions (forms with a CSRF token) on the class.
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Classroom } from '../class/classroom.js';
import type { TraineeView } from '../class/types.js';
import { projectRoot } from '../../state/paths.js';
import { LoginLimiter, SESSION_COOKIE, type Session, Sessions, cookieValue, sameSecret } from './auth.js';
import { CSP, loginPage, shellPage } from './html.js';
import type { TraineeRow } from './protocol.js';
import { StreamHub } from './stream.js';

/** the default port, as `--dashboard` without a port says (src/cli/args.ts) */
export const DASHBOARD_PORT = 8080;
export const DASHBOARD_DEFAULTS = { maxClients: 20, bodyLimit: 16 * 1024, loginAttempts: 5 } as const;
/** An instructor message is one line, as a wall message is. */
const MAX_MESSAGE = 500;

/** What the dashboard uses of a class. */
export type DashboardClass = Pick<Classroom, 'names' | 'trainees' | 'trainee' | 'on' | 'off' | 'assign' | 'reset' | 'unlock' | 'message' | 'transcript' | 'exerciseIds' | 'name'>;

export interface DashboardOptions {
  /** the lab password: the instructor signs in with it */
  password: string;
  /** listen address (default 127.0.0.1: the instructor's own machine) */
  host?: string;
  /** TCP port (default DASHBOARD_PORT; 0 takes a free one) */
  port?: number;
  /** live views (event streams) at once (default 20); signed-in browsers at most twice that */
  maxClients?: number;
  /** bytes of a request body (default 16384) */
  bodyLimit?: number;
  /** failed sign-ins per client address in 5 minutes (default 5) */
  loginAttempts?: number;
  log?: (line: string) => void;
}

export interface Dashboard {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** A row for the wire: only the fields the page shows, whatever else the class view grows. */
function toRow(v: TraineeView): TraineeRow {
  return {
    name: v.name,
    online: v.online,
    nodes: v.nodes.map((n) => ({ name: n.name, up: n.up, services: n.services.map((s) => ({ name: s.name, state: s.state })), itlMd5: n.itlMd5, ctlMd5: n.ctlMd5 })),
    securityMode: v.securityMode,
    phones: { registered: v.phones.registered, locked: v.phones.locked, untrusted: v.phones.untrusted, total: v.phones.total },
    exercise: v.exercise && { id: v.exercise.id, goalsMet: v.exercise.goalsMet, goalsTotal: v.exercise.goalsTotal, passed: v.exercise.passed },
    lastActivity: v.lastActivity,
  };
}

function readAsset(name: string): Buffer {
  const file = join(projectRoot(), 'dist', 'dashboard', name);
  try {
    return readFileSync(file);
  } catch {
    throw new Error(`the dashboard's page is not built (${file} is missing): run npm run build`);
  }
}

export async function startDashboard(room: DashboardClass, opts: DashboardOptions): Promise<Dashboard> {
  const host = opts.host ?? '127.0.0.1';
  const maxClients = opts.maxClients ?? DASHBOARD_DEFAULTS.maxClients;
  const log = opts.log ?? (() => {});
  const assets = { 'app.js': readAsset('app.js'), 'app.css': readAsset('app.css') };
  // read once: the exercise folder does not change while a class runs
  const exerciseIds = (() => {
    try {
      return room.exerciseIds();
    } catch {
      return [];
    }
  })();
  const className = room.name;
  const names = () => new Set(room.names());
  const hub = new StreamHub(
    {
      rows: () => room.trainees().map(toRow),
      // a change computes the view of the trainee it names only (each reads its trust files)
      row: (name) => {
        const v = room.trainee(name);
        return v && toRow(v);
      },
      exercises: () => exerciseIds,
      transcript: (name) => room.transcript(name),
    },
    maxClients,
  );
  const onChange = (name: string) => hub.changed(name);
  const onTranscript = (name: string, text: string) => hub.transcript(name, text);
  room.on('change', onChange);
  room.on('transcript', onTranscript);
  // a browser signed in without its stream open still counts, within twice the streams
  const sessions = new Sessions(maxClients * 2, (id) => hub.closeSession(id));
  const limiter = new LoginLimiter(opts.loginAttempts ?? DASHBOARD_DEFAULTS.loginAttempts);

  const app = Fastify({ bodyLimit: opts.bodyLimit ?? DASHBOARD_DEFAULTS.bodyLimit, logger: false, trustProxy: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const form: Record<string, string> = Object.create(null);
    // the first value of each field; repeated fields cannot turn a string into a list
    for (const [k, v] of new URLSearchParams(body as string)) if (!Object.hasOwn(form, k)) form[k] = v;
    done(null, form);
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    // on loopback, a page of another site that rebinds its name to 127.0.0.1 has the wrong Host
    if (LOOPBACK.has(host)) {
      const h = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
      if (!LOOPBACK.has(h)) return reply.code(421).type('text/plain').send('Misdirected request\n');
    }
  });
  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const code = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (code === 500) log(`dashboard: ${err.message.split('\n')[0]}`);
    return reply.code(code).type('text/plain').send(code === 413 ? 'Request body too large\n' : code === 500 ? 'Internal error\n' : `${err.message.split('\n')[0]}\n`);
  });

  const sessionOf = (req: FastifyRequest) => sessions.get(cookieValue(req.headers.cookie, SESSION_COOKIE));
  const html = (reply: FastifyReply, body: string, code = 200) => reply.code(code).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
  const form = (req: FastifyRequest) => (req.body && typeof req.body === 'object' ? (req.body as Record<string, string>) : {});
  /** A state-changing request of this page: the session's token, and no other site's origin. */
  const csrfOk = (req: FastifyRequest, s: Session) => {
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null' && !URL.canParse(origin)) return false;
    if (origin !== undefined && origin !== 'null' && new URL(origin).host !== req.headers.host) return false;
    const token = form(req).csrf;
    return typeof token === 'string' && sameSecret(token, s.csrf);
  };

  app.get('/login', async (req, reply) => (sessionOf(req) ? reply.redirect('/', 303) : html(reply, loginPage(className))));
  app.post('/login', async (req, reply) => {
    const addr = req.socket.remoteAddress ?? '?';
    const wait = limiter.retryAfter(addr);
    if (wait > 0) return html(reply.header('retry-after', String(wait)), loginPage(className, `Too many failed sign-ins from your address: try again in ${wait} s.`), 429);
    const pw = form(req).password;
    if (typeof pw !== 'string' || !sameSecret(pw, opts.password)) {
      limiter.fail(addr);
      log(`dashboard: failed sign-in from ${addr}`);
      return html(reply, loginPage(className, 'Wrong password.'), 401);
    }
    limiter.succeed(addr);
    const s = sessions.create();
    log(`dashboard: signed in from ${addr}`);
    return reply.header('set-cookie', `${SESSION_COOKIE}=${s.id}; Path=/; HttpOnly; SameSite=Strict`).redirect('/', 303);
  });
  app.post('/logout', async (req, reply) => {
    const s = sessionOf(req);
    if (s && csrfOk(req, s)) {
      hub.closeSession(s.id);
      sessions.delete(s.id);
    }
    return reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`).redirect('/login', 303);
  });

  const page = (req: FastifyRequest, reply: FastifyReply, trainee?: string) => {
    const s = sessionOf(req);
    if (!s) return reply.redirect('/login', 303);
    if (trainee !== undefined && !names().has(trainee)) return reply.code(404).type('text/plain').send('No such trainee\n');
    const notice = s.notice;
    s.notice = undefined;
    return html(reply, shellPage({ csrf: s.csrf, trainee, notice }));
  };
  app.get('/', async (req, reply) => page(req, reply));
  app.get<{ Params: { name: string } }>('/trainee/:name', async (req, reply) => page(req, reply, req.params.name));

  app.get<{ Querystring: { trainee?: string } }>('/events', async (req, reply) => {
    const s = sessionOf(req);
    if (!s) return reply.code(401).type('text/plain').send('Sign in first\n');
    const trainee = typeof req.query.trainee === 'string' ? req.query.trainee : undefined;
    if (trainee !== undefined && !names().has(trainee)) return reply.code(404).type('text/plain').send('No such trainee\n');
    if (hub.size >= maxClients && !hub.has(s.id)) return reply.code(503).type('text/plain').send('Too many live views open\n');
    reply.hijack();
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) reply.raw.setHeader(k, v);
    if (!hub.open(s.id, reply.raw, trainee)) reply.raw.writeHead(503, { 'content-type': 'text/plain' }).end('Too many live views open\n');
  });

  for (const name of ['app.js', 'app.css'] as const) {
    app.get(`/assets/${name}`, async (_req, reply) =>
      reply.header('cache-control', 'no-cache').type(name.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8').send(assets[name]),
    );
  }

  /** Runs an instructor action from a form and returns to the page it came from. */
  const action = (fields: (f: Record<string, string>, known: Set<string>) => Promise<string>) => async (req: FastifyRequest, reply: FastifyReply) => {
    const s = sessionOf(req);
    if (!s) return reply.redirect('/login', 303);
    if (!csrfOk(req, s)) return reply.code(403).type('text/plain').send('Refused: the form is stale or from another site; reload the page\n');
    const f = form(req);
    const known = names();
    const back = backTo(f.back, known);
    try {
      s.notice = await fields(f, known);
    } catch (e) {
      s.notice = `Failed: ${(e as Error).message.split('\n')[0]}`;
    }
    log(`dashboard: ${s.notice}`);
    return reply.redirect(back, 303);
  };
  /** Where an action returns: the detail page it came from, else the overview (never another site). */
  const backTo = (back: string | undefined, known: Set<string>) => {
    if (typeof back !== 'string' || !back.startsWith('/trainee/')) return '/';
    try {
      const name = decodeURIComponent(back.slice('/trainee/'.length));
      return known.has(name) ? `/trainee/${encodeURIComponent(name)}` : '/';
    } catch {
      return '/';
    }
  };
  const who = (f: Record<string, string>, known: Set<string>) => {
    const w = f.who;
    if (w === 'all') return '*';
    if (typeof w !== 'string' || !known.has(w)) throw new Error('no such trainee');
    return w;
  };
  const label = (w: string) => (w === '*' ? 'every trainee' : w);
  app.post(
    '/action/assign',
    action(async (f, known) => {
      const w = who(f, known);
      if (typeof f.exercise !== 'string' || !exerciseIds.includes(f.exercise)) throw new Error('no such exercise');
      await room.assign(w, f.exercise);
      return `Exercise ${f.exercise} assigned to ${label(w)}.`;
    }),
  );
  app.post(
    '/action/reset',
    action(async (f, known) => {
      const w = who(f, known);
      await room.reset(w);
      return `Lab of ${label(w)} reset.`;
    }),
  );
  app.post(
    '/action/unlock',
    action(async (f, known) => {
      const w = who(f, known);
      if (w === '*') throw new Error('unlock one trainee at a time');
      await room.unlock(w);
      return `Logins of ${w} unlocked.`;
    }),
  );
  app.post(
    '/action/message',
    action(async (f, known) => {
      const w = who(f, known);
      const text = typeof f.text === 'string' ? f.text.trim() : '';
      // eslint-disable-next-line no-control-regex
      if (!text || text.length > MAX_MESSAGE || /[\x00-\x1f\x7f]/.test(text)) throw new Error(`a message is one line of 1 to ${MAX_MESSAGE} characters`);
      await room.message(text, w === '*' ? undefined : w);
      return `Message sent to ${label(w)}.`;
    }),
  );

  await app.listen({ host, port: opts.port ?? DASHBOARD_PORT });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? DASHBOARD_PORT);
  const shown = host.includes(':') ? `[${host}]` : host;
  if (!LOOPBACK.has(host)) log(`dashboard: plain HTTP on ${host}: the lab password crosses the network as typed (an SSH tunnel to 127.0.0.1 avoids that)`);
  return {
    url: `http://${shown}:${port}/`,
    host,
    port,
    async close() {
      room.off('change', onChange);
      room.off('transcript', onTranscript);
      hub.close();
      await app.close();
    },
  };
}
