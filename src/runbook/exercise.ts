// Exercises on a lab: the starting state built by typing the setup steps on the consoles a trainee
// has (CliSession, LabConsole) through drive(), in a new lab or in place of an existing one's state.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Lab } from '../../state/cluster/lab.js';
import { normalizeTopology } from '../../state/cluster/topology.js';
import { labDir, newLab } from '../../state/labs.js';
import { exerciseDir, findExercise } from '../../state/exercises/loader.js';
import { evaluateExercise } from '../../state/exercises/results.js';
import { ExerciseError, type ExerciseDef, type SetupStep } from '../../state/exercises/model.js';
import { beginExercise, runSetup, summarize, type StepDriver } from '../../state/exercises/setup.js';
import { CliSession } from '../console/admin-console.js';
import { drive, type Console } from '../console/drive.js';
import { LabConsole } from '../console/lab-console.js';
import { localTransfer } from '../net/transfer.js';
import { RunbookError } from './parse.js';

/** A driver for one lab: one admin: session per node and one lab console, kept across steps. */
export function consoleDriver(lab: Lab): StepDriver {
  const sessions = new Map<string, Console>();
  let labConsole: Console | undefined;
  const transfer = localTransfer();
  const consoleFor = (s: SetupStep): Console => {
    if (s.console === 'lab') return (labConsole ??= new LabConsole({ lab, transfer }));
    const node = s.node ? lab.node(s.node) : lab.publisher();
    if (!node) throw new ExerciseError(`no node '${s.node}' in the lab`);
    let c = sessions.get(node.name);
    if (!c) sessions.set(node.name, (c = new CliSession({ lab, node, transfer })));
    return c;
  };
  return async (s) => {
    const target = consoleFor(s);
    const r = await drive(target, s.command, { answers: [...s.answers], echo: false });
    if (r.ended) {
      if (s.console === 'lab') labConsole = undefined;
      else sessions.delete(s.node ?? lab.publisher().name);
    }
    return { status: r.status, output: r.output, unanswered: r.unanswered };
  };
}

export interface BuildOptions {
  /** the lab's name (the topology's name) */
  name: string;
  /** override the exercise's seed and clock (--seed, --clock) */
  seed?: number;
  clock?: string;
}

function settings(def: ExerciseDef, opts: BuildOptions) {
  const seed = opts.seed ?? def.seed;
  const clock = opts.clock ?? def.clock;
  const topology = normalizeTopology({ ...(def.topology ?? {}), version: def.version, name: opts.name }, `${def.source}: topology`);
  return { seed, clock, topology };
}

/** A new lab in `dir` with the exercise's starting state and the exercise running; removed on failure. */
export async function createExerciseLab(def: ExerciseDef, dir: string, opts: BuildOptions): Promise<Lab> {
  const { seed, clock, topology } = settings(def, opts);
  const lab = await newLab({ dir, topology, seed, clock });
  try {
    await runSetup(lab, def, consoleDriver(lab));
    await beginExercise(lab, def, { seed, clock });
    return lab;
  } catch (e) {
    lab.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Replaces an open lab's state with the exercise's starting state (start --force, reset): built in a
 * temporary lab, then taken over in place as the lab console's reset-lab does, so the lab keeps its
 * folder, lock and SSH keys. Files an earlier attempt put on the local SFTP folder are removed.
 * A reset of the same exercise keeps the earlier attempts' results.
 */
export async function rebuildWithExercise(lab: Lab, def: ExerciseDef, opts: BuildOptions): Promise<void> {
  const old = lab.state.exercise;
  const previous = old && old.id === def.id ? { attempt: old.attempt, history: [...old.history, summarize(lab, old)] } : undefined;
  const { seed, clock, topology } = settings(def, opts);
  const tmp = mkdtempSync(join(tmpdir(), 'cucm-sim-exercise-'));
  try {
    const fresh = await newLab({ dir: tmp, topology, seed, clock });
    try {
      await runSetup(fresh, def, consoleDriver(fresh));
      await lab.mutate(() => lab.replaceWith(fresh));
    } finally {
      fresh.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(join(lab.store.dir, 'sftp'), { recursive: true, force: true });
  await beginExercise(lab, def, { seed, clock, previous });
}

/** Where a runbook's `#! exercise ID` is looked up: beside the runbook, then the exercises folder. */
export async function labForRunbookExercise(
  ex: { id: string; line: number },
  file: string,
  o: { labName?: string; dataDir?: string; seed?: number; clock?: string; exerciseDir?: string },
): Promise<{ lab: Lab; tempDir?: string }> {
  let def: ExerciseDef;
  try {
    def = findExercise(ex.id, [dirname(resolve(file)), exerciseDir(o.exerciseDir)]);
  } catch (e) {
    if (e instanceof ExerciseError) throw new RunbookError(file, ex.line, `'#! exercise': ${e.message}`);
    throw e;
  }
  const build = { seed: o.seed, clock: o.clock };
  try {
    if (o.labName) {
      const dir = labDir({ dataDir: o.dataDir, lab: o.labName });
      if (Lab.exists(dir)) throw new RunbookError(file, ex.line, `'#! exercise' builds a new lab, and the lab '${o.labName}' exists (pick a new --lab name, or leave --lab out)`);
      return { lab: await createExerciseLab(def, dir, { ...build, name: o.labName }) };
    }
    const tempDir = mkdtempSync(join(tmpdir(), 'cucm-sim-run-'));
    try {
      return { lab: await createExerciseLab(def, tempDir, { ...build, name: 'default' }), tempDir };
    } catch (e) {
      rmSync(tempDir, { recursive: true, force: true });
      throw e;
    }
  } catch (e) {
    if (e instanceof ExerciseError) throw new RunbookError(file, ex.line, `'#! exercise ${ex.id}': ${e.message}`);
    throw e;
  }
}

export interface ExerciseExpectation {
  id: string;
  expected: 'pass' | 'fail';
  actual: 'pass' | 'fail';
  score: number;
  notMet: string[];
  broken: string[];
}

/** The exercise result after a runbook, against --expect-exercise; undefined when the lab runs none. */
export function exerciseExpectation(lab: Lab, expected: 'pass' | 'fail'): ExerciseExpectation | undefined {
  const x = lab.state.exercise;
  if (!x) return undefined;
  const r = evaluateExercise(lab, x);
  return {
    id: x.id,
    expected,
    actual: r.passed ? 'pass' : 'fail',
    score: r.score,
    notMet: r.goals.filter((g) => !g.ok).map((g) => g.spec.name),
    broken: r.constraints.filter((c) => !c.ok).map((c) => c.spec.name),
  };
}
