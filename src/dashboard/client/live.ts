// The page's end of the event stream: one EventSource, the class kept as rows by name, and the
// transcript of the detail page's trainee (bounded: a long class cannot grow the page without end).
import { useEffect, useState } from 'react';
import type { StreamMessage, TraineeRow } from '../protocol.js';

const MAX_TRANSCRIPT = 256 * 1024;

export type Connection = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface LiveClass {
  rows: TraineeRow[];
  exercises: string[];
  transcript: string;
  connection: Connection;
  /** why the server ended the stream, when it did */
  closedReason?: string;
}

export function useLiveClass(trainee?: string): LiveClass {
  const [state, setState] = useState<LiveClass>({ rows: [], exercises: [], transcript: '', connection: 'connecting' });
  useEffect(() => {
    const es = new EventSource(trainee === undefined ? '/events' : `/events?trainee=${encodeURIComponent(trainee)}`);
    es.onopen = () => setState((s) => ({ ...s, connection: 'live' }));
    es.onerror = () =>
      setState((s) => ({ ...s, connection: es.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting' }));
    es.onmessage = (ev: MessageEvent<string>) => {
      const m = JSON.parse(ev.data) as StreamMessage;
      setState((s) => apply(s, m));
      // the server gave this browser's stream to another page: do not take it back
      if (m.type === 'closed') es.close();
    };
    return () => es.close();
  }, [trainee]);
  return state;
}

function apply(s: LiveClass, m: StreamMessage): LiveClass {
  switch (m.type) {
    case 'snapshot':
      return { ...s, rows: m.trainees, exercises: m.exercises, connection: 'live' };
    case 'rows': {
      const byName = new Map(s.rows.map((r) => [r.name, r]));
      for (const r of m.trainees) byName.set(r.name, r);
      return { ...s, rows: [...byName.values()] };
    }
    case 'transcript': {
      const text = (m.reset ? m.text : s.transcript + m.text).slice(-MAX_TRANSCRIPT);
      return { ...s, transcript: text };
    }
    case 'closed':
      return { ...s, connection: 'closed', closedReason: m.reason };
  }
}
