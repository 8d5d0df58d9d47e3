// `cucm-sim exercise list | start ID | check | hint | status | reset`: exercises on a named lab.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, LabError } from '../../state/cluster/lab.js';
import { dataDir, labDir, listLabs } from '../../state/labs.js';
import { ensurePrivateDir } from '../../state/store.js';
import { exerciseDir, findExercise, listExercises } from '../../state/exercises/loader.js';
import { ExerciseError, type ExerciseDef, type ExerciseRecord } from '../../state/exercises/model.js';
import { checkLines, evaluateExercise, firstUnmet, hintLines, recordCheck, resultsOf, statusLines } from '../../state/exercises/results.js';
import { createExerciseLab, rebuildWithExercise } from '../runbook/exercise.js';
import { type CommonFlags, UsageError } from './args.js';

export const EXERCISE_USAGE = `cucm-sim exercise list | start ID [--lab NAME] [--force] | check [--json] | hint | status [--json] | reset`;

interface Out {
  write(s: string): unknown;
}

const lines = (out: Out, l: string[]) => out.write(l.map((x) => x + '\n').join(''));

function labName(flags: CommonFlags): string {
  return flags.lab ?? 'default';
}

function openLab(flags: CommonFlags): Lab {
  const dir = labDir(flags);
  if (!Lab.exists(dir)) {
    const names = listLabs(flags.dataDir).map((l) => l.name);
    const have = names.length ? `labs: ${names.join(', ')}` : 'no labs yet';
    throw new ExerciseError(`no lab '${labName(flags)}' (start an exercise with 'cucm-sim exercise start ID --lab ${labName(flags)}'); ${have}`);
  }
  return Lab.open(dir, 'cucm-sim exercise');
}

function running(lab: Lab, flags: CommonFlags): ExerciseRecord {
  const x = lab.state.exercise;
  if (!x) throw new ExerciseError(`the lab '${labName(flags)}' runs no exercise (start one with 'cucm-sim exercise start ID --lab ${labName(flags)}')`);
  return x;
}

function list(flags: CommonFlags, out: Out, err: Out): number {
  const dir = exerciseDir(flags.exerciseDir);
  const { exercises, errors } = listExercises(dir);
  if (!exercises.length && !errors.length) lines(out, [`No exercises in ${dir}.`]);
  const w = Math.max(2, ...exercises.map((e) => e.id.length));
  if (exercises.length) lines(out, [`${'ID'.padEnd(w)}  MIN  VERSION          TITLE`, ...exercises.map((e) => `${e.id.padEnd(w)}  ${String(e.minutes).padStart(3)}  ${e.version.padEnd(15)}  ${e.title}`)]);
  for (const e of errors) err.write(`cucm-sim exercise: ${e}\n`);
  return errors.length ? 1 : 0;
}

function started(def: ExerciseDef, lab: Lab, name: string, out: Out): void {
  const x = lab.state.exercise!;
  lines(out, [
    `Exercise ${def.id} started on lab '${name}' (attempt ${x.attempt}).`,
    '',
    def.title,
    `CUCM ${def.version}, about ${def.minutes} minutes`,
    '',
    ...def.briefing.trimEnd().split('\n'),
    '',
    x.node
      ? `${`admin: on ${x.node}:`.padEnd(25)} cucm-sim --lab ${name} --node ${x.node}`
      : `admin: on the publisher:  cucm-sim --lab ${name}   (--node NAME for another node)`,
    `the lab console:          cucm-sim lab --lab ${name}`,
    `check your work:          cucm-sim exercise check --lab ${name}   (or 'exercise check' at lab>)`,
  ]);
}

/**
 * A lab runs at most one exercise. `start` makes a new lab; a lab that exists is never rebuilt
 * without --force (it may hold someone's work, or another exercise's results).
 */
async function start(flags: CommonFlags, id: string | undefined, out: Out): Promise<number> {
  if (!id) throw new UsageError(`exercise start needs an exercise id (cucm-sim exercise list shows them)`);
  if (flags.topology) throw new UsageError(`--topology does not apply to exercise start: the exercise gives the cluster`);
  const def = findExercise(id, [exerciseDir(flags.exerciseDir)]);
  const name = labName(flags);
  const dir = labDir(flags);
  const build = { name, seed: flags.seed, clock: flags.clock };
  if (Lab.exists(dir)) {
    const lab = Lab.open(dir, 'cucm-sim exercise');
    try {
      const x = lab.state.exercise;
      if (!flags.force) {
        if (x) {
          const same = x.id === def.id ? `'cucm-sim exercise reset --lab ${name}' starts it again, ` : '';
          throw new ExerciseError(`the lab '${name}' runs exercise ${x.id} already: ${same}--lab picks another lab, --force replaces it (its results are lost)`);
        }
        throw new ExerciseError(`the lab '${name}' exists: --lab picks another (new) lab, --force rebuilds this one for the exercise (its state is lost)`);
      }
      await rebuildWithExercise(lab, def, build);
      started(def, lab, name, out);
    } finally {
      lab.close();
    }
    return 0;
  }
  if (existsSync(join(dir, 'nodes')) || existsSync(join(dir, 'journal.json'))) {
    throw new LabError(`The lab folder ${dir} has node files but no lab.json; delete it or use another --lab.`);
  }
  ensurePrivateDir(dataDir(flags.dataDir));
  ensurePrivateDir(join(dataDir(flags.dataDir), 'labs'));
  const lab = await createExerciseLab(def, dir, build);
  try {
    started(def, lab, name, out);
  } finally {
    lab.close();
  }
  return 0;
}

async function withRunning<T>(flags: CommonFlags, fn: (lab: Lab, x: ExerciseRecord) => Promise<T> | T): Promise<T> {
  const lab = openLab(flags);
  try {
    return await fn(lab, running(lab, flags));
  } finally {
    lab.close();
  }
}

/** `cucm-sim exercise ...`: returns the exit status (check: 0 passed, 1 not yet or failed). */
export async function exerciseMain(flags: CommonFlags, args: string[], out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  const [sub, id, ...extra] = args;
  const takesId = sub === 'start';
  if ((takesId && extra.length) || (!takesId && sub !== undefined && id !== undefined)) throw new UsageError(`too many words for 'exercise ${sub}' (usage: ${EXERCISE_USAGE})`);
  switch (sub) {
    case 'list':
      return list(flags, out, err);
    case 'start':
      return start(flags, id, out);
    case 'check':
      return withRunning(flags, async (lab, x) => {
        const r = await lab.mutate(() => {
          const report = evaluateExercise(lab, x);
          recordCheck(lab, report);
          return report;
        });
        if (flags.json) out.write(JSON.stringify(resultsOf(lab, x, r)) + '\n');
        else lines(out, checkLines(r));
        return r.passed ? 0 : 1;
      });
    case 'hint':
      return withRunning(flags, async (lab, x) => {
        const text = await lab.mutate(() => {
          const r = evaluateExercise(lab, x);
          if (firstUnmet(r)) x.hintsUsed += 1;
          return hintLines(r);
        });
        lines(out, text);
        return 0;
      });
    case 'status':
      return withRunning(flags, (lab, x) => {
        // evaluated for the JSON, not counted as a check
        if (flags.json) out.write(JSON.stringify(resultsOf(lab, x, evaluateExercise(lab, x))) + '\n');
        else lines(out, statusLines(lab, x));
        return 0;
      });
    case 'reset':
      return withRunning(flags, async (lab, x) => {
        const def = findExercise(existsSync(x.source) ? x.source : x.id, [exerciseDir(flags.exerciseDir)]);
        await rebuildWithExercise(lab, def, { name: lab.state.name, seed: flags.seed ?? x.seed, clock: flags.clock ?? x.clock });
        started(def, lab, labName(flags), out);
        return 0;
      });
    case undefined:
      throw new UsageError(`exercise needs a subcommand (usage: ${EXERCISE_USAGE})`);
    default:
      throw new UsageError(`unknown exercise subcommand '${sub}' (usage: ${EXERCISE_USAGE})`);
  }
}
