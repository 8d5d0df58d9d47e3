// What the instructor sees of a trainee's lab: nodes and their key services, the trust files'
// MD5s as `show itl` / `show ctl` print them, the security mode, phone counts and the exercise.
import { createHash } from 'node:crypto';
import type { Lab } from '../../state/cluster/lab.js';
import { CALLMANAGER, TFTP, TVS } from '../../state/cluster/services.js';
import { fleet } from '../../state/phones/fleet.js';
import { evaluateExercise } from '../../state/exercises/results.js';
import type { NodeView, TraineeView } from './types.js';

/** the services the seed procedures restart: what a row of the dashboard shows per node */
const WATCHED = [TFTP, TVS, CALLMANAGER];

function md5(lab: Lab, node: Lab['nodes'][number], file: string): string | undefined {
  const data = lab.readTftp(node, file);
  return data && data.length ? createHash('md5').update(data).digest('hex') : undefined;
}

export function nodeViews(lab: Lab): NodeView[] {
  return lab.nodes.map((n) => {
    const services = WATCHED.flatMap((name) => {
      const s = lab.service(n, name);
      if (!s || !s.activated) return [];
      return [{ name, state: n.up ? s.status : 'DOWN' }];
    });
    const view: NodeView = { name: n.name, up: n.up, services };
    const itl = n.tftp ? md5(lab, n, 'ITLFile.tlv') : undefined;
    const ctl = md5(lab, n, 'CTLFile.tlv');
    if (itl) view.itlMd5 = itl;
    if (ctl) view.ctlMd5 = ctl;
    return view;
  });
}

export function phoneCounts(lab: Lab): TraineeView['phones'] {
  const phones = fleet(lab).phones;
  let registered = 0;
  let locked = 0;
  let untrusted = 0;
  for (const p of phones) {
    if (p.trust === 'trusted' || p.trust === 'non-secure') registered++;
    else if (p.trust === 'locked') locked++;
    else if (p.trust === 'any-signer') untrusted++;
  }
  return { registered, locked, untrusted, total: phones.length };
}

export function exerciseView(lab: Lab): TraineeView['exercise'] {
  const x = lab.state.exercise;
  if (!x) return undefined;
  const r = evaluateExercise(lab, x);
  return { id: x.id, goalsMet: r.goals.filter((g) => g.ok).length, goalsTotal: r.goals.length, passed: r.passed };
}

export function traineeView(name: string, lab: Lab, online: number, lastActivity?: number): TraineeView {
  const view: TraineeView = {
    name,
    online,
    nodes: nodeViews(lab),
    securityMode: lab.state.params.clusterSecurityMode === 1 ? 'mixed' : 'non-secure',
    phones: phoneCounts(lab),
  };
  const x = exerciseView(lab);
  if (x) view.exercise = x;
  if (lastActivity !== undefined) view.lastActivity = new Date(lastActivity).toISOString();
  return view;
}
