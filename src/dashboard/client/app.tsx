// The two views of the dashboard: the class overview, and one trainee's detail with the live
// transcript of their sessions. Every trainee-controlled string is rendered as text by React.
import { useEffect, useRef } from 'react';
import type { BootData, TraineeRow } from '../protocol.js';
import { Actions, SignOut } from './forms.js';
import { type Connection, useLiveClass } from './live.js';
import { Exercise, TraineeTable } from './table.js';

const CONNECTION_TEXT: Record<Connection, string> = {
  connecting: 'connecting...',
  live: 'live',
  reconnecting: 'connection lost, reconnecting...',
  closed: 'not updating',
};

function Header({ boot, connection, closedReason }: { boot: BootData; connection: Connection; closedReason?: string }) {
  return (
    <header>
      <h1>{boot.trainee === undefined ? 'Class dashboard' : `Trainee ${boot.trainee}`}</h1>
      <p className={`status ${connection}`} role="status">
        Updates: {CONNECTION_TEXT[connection]}
        {closedReason ? ` (${closedReason}; reload to resume)` : ''}
      </p>
      <SignOut csrf={boot.csrf} />
      {boot.notice && (
        <p className="notice" role="alert">
          {boot.notice}
        </p>
      )}
    </header>
  );
}

function Overview({ boot }: { boot: BootData }) {
  const live = useLiveClass();
  return (
    <>
      <Header boot={boot} connection={live.connection} closedReason={live.closedReason} />
      <main>
        <TraineeTable rows={live.rows} />
        <h2>Whole class</h2>
        <Actions csrf={boot.csrf} who="all" exercises={live.exercises} back="/" />
      </main>
    </>
  );
}

function NodeTable({ row }: { row: TraineeRow }) {
  return (
    <table className="nodes-detail">
      <caption>Nodes of {row.name}&apos;s cluster</caption>
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">Power</th>
          <th scope="col">Services</th>
          <th scope="col">ITL MD5</th>
          <th scope="col">CTL MD5</th>
        </tr>
      </thead>
      <tbody>
        {row.nodes.map((n) => (
          <tr key={n.name}>
            <th scope="row">{n.name}</th>
            <td>{n.up ? 'up' : 'DOWN'}</td>
            <td>{n.services.map((s) => `${s.name}: ${s.state}`).join(', ')}</td>
            <td>
              <code>{n.itlMd5 ?? 'none'}</code>
            </td>
            <td>
              <code>{n.ctlMd5 ?? 'none'}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Detail({ boot, name }: { boot: BootData; name: string }) {
  const live = useLiveClass(name);
  const row = live.rows.find((r) => r.name === name);
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    // keep the newest output in view, as a terminal does
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [live.transcript]);
  return (
    <>
      <Header boot={boot} connection={live.connection} closedReason={live.closedReason} />
      <main>
        <p>
          <a href="/">Back to the class</a>
        </p>
        {row && (
          <dl className="summary">
            <dt>Online sessions</dt>
            <dd data-col="online">{row.online}</dd>
            <dt>Security mode</dt>
            <dd data-col="mode">{row.securityMode}</dd>
            <dt>Phones</dt>
            <dd data-col="phones">
              {row.phones.registered} registered, {row.phones.locked} locked, {row.phones.untrusted} untrusted, {row.phones.total} in all
            </dd>
            <dt>Exercise</dt>
            <dd>
              <Exercise row={row} />
            </dd>
            <dt>Last activity</dt>
            <dd>{row.lastActivity ?? 'none yet'}</dd>
          </dl>
        )}
        {row && <NodeTable row={row} />}
        <h2>Actions</h2>
        <Actions csrf={boot.csrf} who={name} exercises={live.exercises} back={`/trainee/${encodeURIComponent(name)}`} />
        <h2 id="transcript-title">Transcript</h2>
        <pre className="transcript" ref={pre} tabIndex={0} aria-labelledby="transcript-title" data-testid="transcript">
          {live.transcript || '(nothing recorded yet)'}
        </pre>
      </main>
    </>
  );
}

export function App({ boot }: { boot: BootData }) {
  return boot.trainee === undefined ? <Overview boot={boot} /> : <Detail boot={boot} name={boot.trainee} />;
}
