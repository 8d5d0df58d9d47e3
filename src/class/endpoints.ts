// A class served over SSH: a trainee logs in with their own name and reaches their own lab (port
// i: the i-th node of it), the instructor logs in as `lab` with the class's lab password and gets
// the instructor's console. Host keys are the class's, kept in its folder.
import { createHash, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { LAB_ACCOUNT, LOCK_AFTER } from '../../state/cluster/logins.js';
import { login, type LoginTarget } from '../frontends/ssh/auth.js';
import { hostKeyIn } from '../frontends/ssh/host-key.js';
import { endpointNodes, type ServedLabs } from '../frontends/ssh/server.js';
import type { Classroom } from './classroom.js';
import { InstructorConsole } from './instructor.js';

/** `ssh NAME+lab@host`: a trainee's own lab console */
export const TRAINEE_CONSOLE = '+lab';

/** sources whose failed instructor logins are counted at once (oldest forgotten first) */
const MAX_SOURCES = 4096;

function same(a: string, b: string): boolean {
  const x = createHash('sha256').update(a, 'utf8').digest();
  const y = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(x, y);
}

/** how long a wrong instructor password waits for its answer once a source has failed LOCK_AFTER times */
export const INSTRUCTOR_THROTTLE_MS = 3_000;

/**
 * The instructor's failed logins, per source address. Trainees often share the instructor's
 * address (one machine, a NAT, a jump host), so failures never lock `lab` out: the right password
 * is always let in. From LOCK_AFTER failures on, a wrong one from that source is answered only
 * after INSTRUCTOR_THROTTLE_MS (and --max-startups bounds the guesses in flight), which leaves a
 * random 16-character lab password far out of reach. Kept in memory: the class has no lab of its own.
 */
class InstructorThrottle {
  private readonly fails = new Map<string, number>();

  /** Counts a failure; how long its refusal waits. */
  failed(source: string): number {
    const n = (this.fails.get(source) ?? 0) + 1;
    this.fails.delete(source);
    if (this.fails.size >= MAX_SOURCES) this.fails.delete(this.fails.keys().next().value!);
    this.fails.set(source, n);
    return n >= LOCK_AFTER ? INSTRUCTOR_THROTTLE_MS : 0;
  }

  succeeded(source: string): void {
    this.fails.delete(source);
  }
}

export function classEndpoints(room: Classroom, opts: { pace?: 'fast' | 'realistic' } = {}): ServedLabs {
  const throttle = new InstructorThrottle();
  const template = endpointNodes(room.anchor());
  const instructor = (): LoginTarget => ({
    lab: room.anchor(),
    role: 'lab',
    console: (o) => new InstructorConsole(room, { ...o, pace: opts.pace }),
  });
  return {
    nodes: template.map((n) => ({ name: n.name, publisher: n.publisher })),
    labs: () => room.names().map((n) => room.lab(n)!),
    hostKey: (node) => hostKeyIn(join(room.dir, 'ssh'), node),
    reachable: () => true,
    nodeFor: (t, i) => endpointNodes(t.lab)[i]?.name,
    async check(user, password, source, log) {
      if (user === LAB_ACCOUNT) {
        if (same(password, room.labPassword)) {
          throttle.succeeded(source);
          return instructor();
        }
        const wait = throttle.failed(source);
        if (wait > 0) {
          log(`failed login for ${LAB_ACCOUNT} from ${source}: answered after ${wait / 1000} s`);
          await new Promise((r) => setTimeout(r, wait));
        }
        return undefined;
      }
      // NAME+lab: the trainee's own lab console, with the trainee's password ('+' is in no trainee name)
      const own = user.endsWith(TRAINEE_CONSOLE) ? user.slice(0, -TRAINEE_CONSOLE.length) : undefined;
      const name = own ?? user;
      const lab = room.lab(name);
      // unknown names lock nothing; a trainee's failures lock that trainee's account only
      if (!lab || (await login(lab, name, password, source, log)) !== 'admin') return undefined;
      if (own !== undefined) {
        return {
          lab,
          role: 'lab',
          console: (o) => room.traineeConsole(name, o),
          opened: (s) => room.sessions.opened(name, lab, s),
        };
      }
      return {
        lab,
        role: 'admin',
        opened: (s) => room.sessions.opened(name, lab, s),
      };
    },
  };
}
