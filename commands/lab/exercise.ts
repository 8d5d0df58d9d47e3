// Lab console: exercise status | check | hint, for the exercise the lab runs (cucm-sim exercise start).
import type { CommandContext, CommandModule } from '../../src/console/command.js';
import { activeExercise } from '../../state/exercises/events.js';
import type { ExerciseRecord } from '../../state/exercises/model.js';
import { checkLines, evaluateExercise, firstUnmet, hintLines, recordCheck, statusLines } from '../../state/exercises/results.js';

const NONE = "This lab runs no exercise. Start one with 'cucm-sim exercise start ID --lab NAME' ('cucm-sim exercise list' shows them).";

function running(ctx: CommandContext): ExerciseRecord | undefined {
  return activeExercise(ctx.lab);
}

function status(ctx: CommandContext): number {
  const x = running(ctx);
  if (!x) return ctx.fail(NONE);
  ctx.out(...statusLines(ctx.lab, x));
  return 0;
}

async function check(ctx: CommandContext): Promise<number> {
  if (!running(ctx)) return ctx.fail(NONE);
  // evaluated and kept in one change, so the result written is the one shown
  const lines = await ctx.mutate(() => {
    const r = evaluateExercise(ctx.lab, running(ctx)!);
    recordCheck(ctx.lab, r);
    return checkLines(r);
  });
  ctx.out(...lines);
  return 0;
}

async function hint(ctx: CommandContext): Promise<number> {
  if (!running(ctx)) return ctx.fail(NONE);
  const lines = await ctx.mutate(() => {
    const x = running(ctx)!;
    const r = evaluateExercise(ctx.lab, x);
    if (firstUnmet(r)) x.hintsUsed += 1;
    return hintLines(r);
  });
  ctx.out(...lines);
  return 0;
}

const exercise: CommandModule = {
  menus: [{ path: ['exercise'], summary: 'The exercise this lab runs: briefing, check, hint' }],
  commands: [
    { path: ['exercise', 'status'], summary: 'Shows the exercise: briefing, goals, time used, checks and hints so far.', run: status },
    {
      path: ['exercise', 'check'],
      summary: 'Checks the goals now: passed or not yet, a hint for the first one not met, score and time used.',
      run: check,
    },
    { path: ['exercise', 'hint'], summary: 'Shows the hint for the first goal not met yet (counted in the results).', run: hint },
  ],
};

export default exercise;
