// The overview table: one row per trainee, a header cell per row (the trainee) and per column.
// Up and Down move between the trainees' links, so the class can be walked from the keyboard.
import type { KeyboardEvent } from 'react';
import type { NodeRow, TraineeRow } from '../protocol.js';

const short = (md5?: string) => (md5 ? md5.slice(0, 8) : 'none');

export function NodeSummary({ node }: { node: NodeRow }) {
  const stopped = node.services.filter((s) => !/^(started|running)$/i.test(s.state));
  return (
    <li>
      <strong>{node.name}</strong> {node.up ? 'up' : <span className="bad">DOWN</span>}
      {' · '}
      {stopped.length === 0 ? (
        <span>{node.services.length} services running</span>
      ) : (
        <span className="bad">{stopped.map((s) => `${s.name} ${s.state}`).join(', ')}</span>
      )}
      {' · '}ITL <code title={node.itlMd5 ?? 'no ITL'}>{short(node.itlMd5)}</code> CTL <code title={node.ctlMd5 ?? 'no CTL'}>{short(node.ctlMd5)}</code>
    </li>
  );
}

export function Exercise({ row }: { row: TraineeRow }) {
  const x = row.exercise;
  if (!x) return <span className="muted">none</span>;
  return (
    <span>
      {x.id}: {x.goalsMet}/{x.goalsTotal} goals {x.passed ? <strong className="good">passed</strong> : null}
    </span>
  );
}

function moveFocus(e: KeyboardEvent<HTMLTableSectionElement>) {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  const links = [...e.currentTarget.querySelectorAll<HTMLAnchorElement>('th a')];
  const i = links.indexOf(document.activeElement as HTMLAnchorElement);
  if (i < 0) return;
  const next = links[i + (e.key === 'ArrowDown' ? 1 : -1)];
  if (next) {
    next.focus();
    e.preventDefault();
  }
}

export function TraineeTable({ rows }: { rows: TraineeRow[] }) {
  const sorted = [...rows].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <table className="class">
      <caption>Trainees ({rows.length}); Up and Down move between them, Enter opens one</caption>
      <thead>
        <tr>
          <th scope="col">Trainee</th>
          <th scope="col">Online</th>
          <th scope="col">Security mode</th>
          <th scope="col">Registered</th>
          <th scope="col">Locked</th>
          <th scope="col">Untrusted</th>
          <th scope="col">Exercise</th>
          <th scope="col">Nodes: services, ITL and CTL MD5</th>
        </tr>
      </thead>
      <tbody onKeyDown={moveFocus}>
        {sorted.map((r) => (
          <tr key={r.name} data-trainee={r.name}>
            <th scope="row">
              <a href={`/trainee/${encodeURIComponent(r.name)}`}>{r.name}</a>
            </th>
            <td data-col="online">{r.online}</td>
            <td data-col="mode">{r.securityMode}</td>
            <td data-col="registered">
              {r.phones.registered}
              <span className="muted">/{r.phones.total}</span>
            </td>
            <td data-col="locked" className={r.phones.locked ? 'bad' : undefined}>
              {r.phones.locked}
            </td>
            <td data-col="untrusted">{r.phones.untrusted}</td>
            <td data-col="exercise">
              <Exercise row={r} />
            </td>
            <td data-col="nodes">
              <ul className="nodes">
                {r.nodes.map((n) => (
                  <NodeSummary key={n.name} node={n} />
                ))}
              </ul>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
