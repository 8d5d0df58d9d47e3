// What the dashboard's server sends its page: the wire format of the event stream and the page's
// boot data. Types only, shared by the server and the browser bundle (which cannot import the class
// room: it runs in a browser), so this file imports nothing.

export interface ServiceRow {
  name: string;
  state: string;
}

export interface NodeRow {
  name: string;
  up: boolean;
  services: ServiceRow[];
  itlMd5?: string;
  ctlMd5?: string;
}

/** One trainee as the overview table shows it. */
export interface TraineeRow {
  name: string;
  online: number;
  nodes: NodeRow[];
  securityMode: 'non-secure' | 'mixed';
  phones: { registered: number; locked: number; untrusted: number; total: number };
  exercise?: { id: string; goalsMet: number; goalsTotal: number; passed: boolean };
  lastActivity?: string;
}

/** Server-sent events, one JSON object per `data:` line. */
export type StreamMessage =
  /** the whole class: first message of every stream */
  | { type: 'snapshot'; trainees: TraineeRow[]; exercises: string[] }
  /** rows that changed since the last message, coalesced */
  | { type: 'rows'; trainees: TraineeRow[] }
  /** a detail page's trainee: what was recorded so far (first), then what was added */
  | { type: 'transcript'; name: string; text: string; reset: boolean }
  /** another page of the same browser took over the stream */
  | { type: 'closed'; reason: string };

/** Read by the page from a JSON <script type="application/json" id="boot"> element. */
export interface BootData {
  csrf: string;
  /** trainee of the detail page, absent on the overview */
  trainee?: string;
  /** the outcome of the last instructor action, shown once */
  notice?: string;
}
