// Checking an exercise: each goal passed or not yet, constraints kept or broken, a score, the time
// used; what `check`, `hint` and `status` print, and the results kept in the lab for grading.
import type { Lab } from '../cluster/lab.js';
import { evaluateCheck } from './checks.js';
import type { CheckOutcome, CheckSpec, ExerciseRecord } from './model.js';

export interface ItemResult {
  spec: CheckSpec;
  ok: boolean;
  detail?: string;
}

export interface ExerciseReport {
  record: ExerciseRecord;
  goals: ItemResult[];
  constraints: ItemResult[];
  score: number;
  passed: boolean;
  /** a constraint was broken: the attempt fails whatever the goals say */
  failed: boolean;
  labMs: number;
  wallMs: number;
}

/** Evaluates every goal and constraint now; changes nothing. */
export function evaluateExercise(lab: Lab, x: ExerciseRecord): ExerciseReport {
  const run = (spec: CheckSpec): ItemResult => ({ spec, ...evaluateCheck(lab, x, spec) });
  const goals = x.goals.map(run);
  const constraints = x.constraints.map(run);
  const failed = constraints.some((c) => !c.ok);
  const met = goals.filter((g) => g.ok).length;
  const score = failed || goals.length === 0 ? 0 : Math.round((100 * met) / goals.length);
  return {
    record: x,
    goals,
    constraints,
    score,
    passed: !failed && met === goals.length,
    failed,
    labMs: Math.max(0, lab.nowMs() - x.startedAt),
    wallMs: Math.max(0, Date.now() - x.startedWall),
  };
}

/** Keeps the result of a check in the lab (call inside mutate()). */
export function recordCheck(lab: Lab, r: ExerciseReport): CheckOutcome {
  const x = lab.state.exercise!;
  const outcome: CheckOutcome = {
    at: lab.nowMs(),
    wallMs: Date.now(),
    score: r.score,
    passed: r.passed,
    met: r.goals.filter((g) => g.ok).map((g) => g.spec.name),
    notMet: r.goals.filter((g) => !g.ok).map((g) => g.spec.name),
    broken: r.constraints.filter((c) => !c.ok).map((c) => c.spec.name),
  };
  x.checks += 1;
  x.lastCheck = outcome;
  if (r.passed && x.passedWall === undefined) {
    x.passedWall = outcome.wallMs;
    x.passedAt = outcome.at;
  }
  return outcome;
}

export function duration(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, '0');
  return h ? `${h}h ${String(m).padStart(2, '0')}m ${sec}s` : `${m}m ${sec}s`;
}

function heading(x: ExerciseRecord): string {
  return `Exercise ${x.id}: ${x.title} (attempt ${x.attempt})`;
}

function timeLine(r: Pick<ExerciseReport, 'labMs' | 'wallMs'>): string {
  return `Time used: ${duration(r.labMs)} on the lab clock, ${duration(r.wallMs)} real time`;
}

/** The first goal not met, whose hint `check` and `hint` show. */
export function firstUnmet(r: ExerciseReport): ItemResult | undefined {
  return r.goals.find((g) => !g.ok);
}

/** What `exercise check` prints. It names goals and shows one hint; it never shows a solution. */
export function checkLines(r: ExerciseReport): string[] {
  const met = r.goals.filter((g) => g.ok).length;
  const out = [heading(r.record)];
  for (const g of r.goals) out.push(`  ${g.ok ? 'passed ' : 'not yet'}  ${g.spec.name}${!g.ok && g.detail ? ` (${g.detail})` : ''}`);
  if (r.constraints.length) {
    out.push('Constraints:');
    for (const c of r.constraints) out.push(`  ${c.ok ? 'kept   ' : 'BROKEN '}  ${c.spec.name}${!c.ok && c.detail ? ` (${c.detail})` : ''}`);
  }
  const next = firstUnmet(r);
  if (next && !r.failed) out.push(`Hint: ${next.spec.hint ?? 'none for this goal'}`);
  out.push(`Score: ${r.score}% (${met} of ${r.goals.length} goal${r.goals.length === 1 ? '' : 's'} met)`);
  out.push(timeLine(r));
  out.push(r.failed ? 'Result: FAILED (a constraint was broken; exercise reset starts a new attempt)' : r.passed ? 'Result: PASSED' : 'Result: not passed yet');
  return out;
}

/** What `exercise hint` prints: the hint of the first goal not met. */
export function hintLines(r: ExerciseReport): string[] {
  const next = firstUnmet(r);
  if (!next) return ['Every goal is met: run exercise check.'];
  return [`Goal: ${next.spec.name}`, `Hint: ${next.spec.hint ?? 'none for this goal'}`];
}

/** What `exercise status` prints: the briefing and the goals, without checking them. */
export function statusLines(lab: Lab, x: ExerciseRecord): string[] {
  const out = [heading(x), `CUCM ${x.version}, about ${x.minutes} minutes`, ''];
  out.push(...x.briefing.trimEnd().split('\n'), '', 'Goals:');
  for (const g of x.goals) out.push(`  - ${g.name}`);
  if (x.constraints.length) {
    out.push('Constraints:');
    for (const c of x.constraints) out.push(`  - ${c.name}`);
  }
  out.push('');
  out.push(timeLine({ labMs: Math.max(0, lab.nowMs() - x.startedAt), wallMs: Math.max(0, Date.now() - x.startedWall) }));
  const last = x.lastCheck;
  out.push(`Checks: ${x.checks}, hints used: ${x.hintsUsed}${last ? `, last score ${last.score}%${last.passed ? ' (passed)' : ''}` : ''}`);
  return out;
}

/** The results a classroom grades, as one JSON-ready object. */
export function resultsOf(lab: Lab, x: ExerciseRecord, r: ExerciseReport) {
  return {
    id: x.id,
    title: x.title,
    lab: lab.state.name,
    attempt: x.attempt,
    score: r.score,
    passed: r.passed,
    failed: r.failed,
    goals: r.goals.map((g) => ({ name: g.spec.name, check: g.spec.check, met: g.ok })),
    constraints: r.constraints.map((c) => ({ name: c.spec.name, check: c.spec.check, kept: c.ok })),
    labSeconds: Math.floor(r.labMs / 1000),
    wallSeconds: Math.floor(r.wallMs / 1000),
    hintsUsed: x.hintsUsed,
    checks: x.checks,
    startedAt: new Date(x.startedWall).toISOString(),
    passedAt: x.passedWall !== undefined ? new Date(x.passedWall).toISOString() : null,
    startFingerprint: x.startFingerprint,
    history: x.history,
  };
}
