// Lab console: clock show | advance.
import type { CommandContext, CommandModule } from '../../src/console/command.js';
import { cucmDate } from '../format.js';
import { formatDuration, parseDuration } from './util.js';

function show(ctx: CommandContext): number {
  const lab = ctx.lab;
  ctx.out(`${cucmDate(lab.nowMs(), lab.state.timezone)}${lab.state.clock.fixed ? ' (simulated: moves with clock advance and as long-running commands take their time)' : ' (follows the wall clock; clock advance adds to it)'}`);
  for (const n of lab.nodes) {
    const left = lab.holdRemaining(n);
    if (left > 0 && n.lastRegen) ctx.out(`${n.name}: certificate hold timer ${formatDuration(left)} left (${n.lastRegen.unit} regenerated)`);
  }
  return 0;
}

async function advance(ctx: CommandContext, a: Record<string, string>) {
  const ms = parseDuration(a.duration);
  if (ms === undefined || ms <= 0) return ctx.fail(`'${a.duration}' is not a duration (examples: 6m, 90s, 1h30m, 2d, 300).`);
  if (ms > 3650 * 86400_000) return ctx.fail('At most ten years at a time.');
  await ctx.mutate(() => ctx.lab.advanceClock(ms));
  ctx.out(`Clock advanced by ${formatDuration(ms)}: ${cucmDate(ctx.lab.nowMs(), ctx.lab.state.timezone)}`);
  return 0;
}

const clock: CommandModule = {
  menus: [{ path: ['clock'], summary: "The lab's simulated clock" }],
  commands: [
    { path: ['clock', 'show'], summary: 'Shows the simulated time and any running certificate hold timers.', run: show },
    {
      path: ['clock', 'advance'],
      summary: 'Moves the simulated clock forward (past the 5-minute hold timer, a TVS cache lifetime...).',
      params: [{ name: 'duration', required: true, help: 'e.g. 6m, 90s, 1h30m, 2d (a bare number is seconds)' }],
      example: ['lab>clock advance 6m'],
      run: advance,
    },
  ],
};

export default clock;
