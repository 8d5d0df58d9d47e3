// Exercises as the engine holds them: the validated definition read from a data file, and the
// `exercise` section of a lab running one (event log, tallies, results for grading).

export type ConsoleKind = 'admin' | 'lab';

/** One setup step: a command line on a console, with the answers to its questions. */
export interface SetupStep {
  console: ConsoleKind;
  /** the node of an admin: step (default the publisher) */
  node?: string;
  command: string;
  answers: string[];
}

/** One goal or constraint: a check kind of the engine's vocabulary and its parameters. */
export interface CheckSpec {
  check: string;
  name: string;
  hint?: string;
  params: Record<string, string | number | boolean>;
}

export interface ExerciseDef {
  id: string;
  title: string;
  version: string;
  minutes: number;
  briefing: string;
  /** raw topology fields (checked with normalizeTopology when the lab is built) */
  topology?: Record<string, unknown>;
  seed: number;
  clock: string;
  /** the node the trainee's admin: session starts on (default the publisher) */
  node?: string;
  setup: SetupStep[];
  goals: CheckSpec[];
  constraints: CheckSpec[];
  /** the file it was read from */
  source: string;
}

/** A phone a hand erase reached, as it was when the technician stood at it. */
export interface ErasedPhone {
  name: string;
  model: string;
  devicePool: string;
}

export type ExerciseEvent =
  | { at: number; kind: 'command'; console: ConsoleKind; node: string; line: string; command?: string; status: number }
  | { at: number; kind: 'service-start'; node: string; service: string }
  | { at: number; kind: 'erase'; list: 'ITL' | 'CTL'; phones: ErasedPhone[] };

/** What one `check` found. */
export interface CheckOutcome {
  at: number;
  wallMs: number;
  score: number;
  passed: boolean;
  met: string[];
  notMet: string[];
  broken: string[];
}

/** A finished attempt (kept when `exercise reset` starts another). */
export interface AttemptSummary {
  attempt: number;
  startedWall: number;
  endedWall: number;
  labMs: number;
  hintsUsed: number;
  checks: number;
  lastCheck?: CheckOutcome;
  passedWall?: number;
}

export interface ExerciseRecord {
  id: string;
  title: string;
  version: string;
  minutes: number;
  briefing: string;
  goals: CheckSpec[];
  constraints: CheckSpec[];
  source: string;
  seed?: number;
  clock?: string;
  /** the node the trainee's admin: session starts on (default the publisher) */
  node?: string;
  attempt: number;
  startedAt: number;
  startedWall: number;
  /** of the lab as setup left it (state/exercises/fingerprint.ts) */
  startFingerprint: string;
  /** SHA-1 of each certificate at the start, key "<node>/<unit>" */
  baselineCerts: Record<string, string>;
  hintsUsed: number;
  checks: number;
  /**
   * counts that never roll off: resolved commands "<console>:<words>", service starts
   * "<node>/<service>", hand erases "<ITL|CTL>/<phone>" (absent in labs from before erases were kept)
   */
  tallies: { commands: Record<string, number>; starts: Record<string, number>; erased?: Record<string, ErasedPhone & { count: number }> };
  /** the latest events, oldest first (at most MAX_EVENTS) */
  events: ExerciseEvent[];
  droppedEvents: number;
  lastCheck?: CheckOutcome;
  passedWall?: number;
  passedAt?: number;
  history: AttemptSummary[];
}

declare module '../cluster/state.js' {
  interface LabSections {
    /** the exercise this lab runs, absent when it runs none */
    exercise?: ExerciseRecord;
  }
}

export const MAX_EVENTS = 2000;

/** A data file that is not a valid exercise: names the file and the field. */
export class ExerciseError extends Error {}
