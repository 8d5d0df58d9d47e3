// Building an exercise's starting state: its setup steps typed on the consoles a trainee has (the
// caller supplies the driver, since state/ knows no consoles), then the exercise record that starts
// the clock and the event log.
import { createHash } from 'node:crypto';
import type { Lab } from '../cluster/lab.js';
import { labReferenceProblems, certSha1 } from './checks.js';
import { ExerciseError, type AttemptSummary, type ExerciseDef, type ExerciseRecord, type SetupStep } from './model.js';

export interface StepResult {
  status: number;
  output: string;
  /** the question the step left without an answer */
  unanswered?: string;
}

/** Runs one step on its console (src/runbook/exercise.ts drives CliSession and LabConsole). */
export type StepDriver = (step: SetupStep) => Promise<StepResult>;

export function stepText(s: SetupStep): string {
  return `${s.console === 'lab' ? 'lab>' : `admin${s.node ? '@' + s.node : ''}:`} ${s.command}`;
}

/** Names of nodes, services and phones the exercise uses must exist in the lab it built. */
export function checkReferences(lab: Lab, def: ExerciseDef): void {
  if (def.node && !lab.node(def.node)) throw new ExerciseError(`${def.source}: node: no node '${def.node}' in the lab (nodes: ${lab.nodes.map((n) => n.name).join(', ')})`);
  def.setup.forEach((s, i) => {
    if (s.node && !lab.node(s.node)) throw new ExerciseError(`${def.source}: setup[${i}]: no node '${s.node}' in the lab (nodes: ${lab.nodes.map((n) => n.name).join(', ')})`);
  });
  for (const [list, name] of [
    [def.goals, 'goals'],
    [def.constraints, 'constraints'],
  ] as const) {
    list.forEach((c, i) => {
      const problem = labReferenceProblems(lab, c);
      if (problem) throw new ExerciseError(`${def.source}: ${name}[${i}].${problem}`);
    });
  }
}

/** Runs the setup steps in order; the first that fails or asks an unanswered question stops it. */
export async function runSetup(lab: Lab, def: ExerciseDef, drive: StepDriver): Promise<void> {
  if (lab.state.exercise) throw new ExerciseError('setup runs on a lab without an exercise');
  checkReferences(lab, def);
  for (const [i, s] of def.setup.entries()) {
    const r = await drive(s);
    const where = `${def.source}: setup[${i}] '${stepText(s)}'`;
    if (r.unanswered !== undefined) throw new ExerciseError(`${where} asked "${r.unanswered.trim()}" and has no answer left for it (add it to answers)`);
    if (r.status !== 0) {
      const tail = r.output.trimEnd().split('\n').slice(-3).join(' | ');
      throw new ExerciseError(`${where} failed${tail ? `: ${tail}` : ''}`);
    }
  }
}

/**
 * A fingerprint of the lab as it stands, the same on every run for the same seed and clock: the
 * state without wall-clock readings or the exercise section, and every TFTP file.
 */
export function stableFingerprint(lab: Lab): string {
  const { exercise: _x, ...rest } = lab.state;
  const state = { ...rest, clock: { fixed: rest.clock.fixed, simMs: rest.clock.simMs } };
  const h = createHash('sha1').update(JSON.stringify(state));
  for (const n of lab.nodes) for (const f of lab.listTftp(n)) h.update(`\0${n.name}/${f}\0`).update(lab.readTftp(n, f) ?? Buffer.alloc(0));
  return h.digest('hex');
}

export interface BeginOptions {
  seed?: number;
  clock?: string;
  /** the attempt before this one (exercise reset), summarized before the lab was rebuilt */
  previous?: { attempt: number; history: AttemptSummary[] };
}

/** Starts the exercise on a lab whose setup has run: from here on, what is done is recorded. */
export async function beginExercise(lab: Lab, def: ExerciseDef, opts: BeginOptions = {}): Promise<ExerciseRecord> {
  const baselineCerts: Record<string, string> = {};
  for (const n of lab.nodes) for (const [unit, c] of Object.entries(n.certs)) baselineCerts[`${n.name}/${unit}`] = certSha1(c.certPem);
  const prev = opts.previous;
  const record: ExerciseRecord = {
    id: def.id,
    title: def.title,
    version: def.version,
    minutes: def.minutes,
    briefing: def.briefing,
    goals: def.goals,
    constraints: def.constraints,
    source: def.source,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
    ...(def.node ? { node: lab.node(def.node)!.name } : {}),
    attempt: prev ? prev.attempt + 1 : 1,
    startedAt: lab.nowMs(),
    startedWall: Date.now(),
    startFingerprint: stableFingerprint(lab),
    baselineCerts,
    hintsUsed: 0,
    checks: 0,
    tallies: { commands: {}, starts: {}, erased: {} },
    events: [],
    droppedEvents: 0,
    history: prev?.history ?? [],
  };
  await lab.mutate(() => {
    lab.state.exercise = record;
  });
  return record;
}

/** What an attempt left, for the history a reset keeps (call before the lab is rebuilt). */
export function summarize(lab: Lab, x: ExerciseRecord): AttemptSummary {
  return {
    attempt: x.attempt,
    startedWall: x.startedWall,
    endedWall: Date.now(),
    labMs: Math.max(0, lab.nowMs() - x.startedAt),
    hintsUsed: x.hintsUsed,
    checks: x.checks,
    ...(x.lastCheck ? { lastCheck: x.lastCheck } : {}),
    ...(x.passedWall !== undefined ? { passedWall: x.passedWall } : {}),
  };
}
