// The instructor's class commands at lab> (a served class): list trainees, assign an exercise,
// reset labs, unlock a trainee, broadcast a message. The class itself is reached through the
// ClassControl the console gives this module, so the commands know nothing of servers or sessions.
import type { CommandContext, CommandModule, CompletionContext } from '../../src/console/command.js';
import { table } from './util.js';

/** One trainee as `class list` shows them. */
export interface ClassListRow {
  name: string;
  online: number;
  securityMode: string;
  phones: { registered: number; locked: number; total: number };
  exercise?: { id: string; goalsMet: number; goalsTotal: number; passed: boolean };
  lastActivity?: string;
}

/** What the class commands may do to the class they are served in. */
export interface ClassControl {
  names(): string[];
  rows(): ClassListRow[];
  /** exercise ids for Tab */
  exercises(): string[];
  assign(who: string, exerciseId: string): Promise<string[]>;
  reset(who: string): Promise<string[]>;
  unlock(who: string): Promise<number>;
  /** sessions the message reached */
  message(text: string, who?: string): number;
  /** the trainee named with --trainee on this command line, if any */
  selected(): string | undefined;
  /** writes the gradebook and the transcripts into the class folder: where, trainees, files copied */
  report(): { out: string; trainees: number; files: number };
}

const ALL = 'all';

function who(ctl: ClassControl, ctx: CommandContext, name: string | undefined): string | undefined {
  const w = name ?? ALL;
  if (w === ALL || ctl.names().includes(w)) return w;
  ctx.fail(`No trainee '${w}' in this class ('class list' shows them).`);
  return undefined;
}

function list(ctl: ClassControl, ctx: CommandContext): number {
  const rows = [['Trainee', 'Online', 'Mode', 'Phones (reg/locked/all)', 'Exercise', 'Goals', 'Result', 'Last activity']];
  for (const r of ctl.rows()) {
    const x = r.exercise;
    rows.push([
      r.name,
      String(r.online),
      r.securityMode,
      `${r.phones.registered}/${r.phones.locked}/${r.phones.total}`,
      x ? x.id : '-',
      x ? `${x.goalsMet}/${x.goalsTotal}` : '-',
      x ? (x.passed ? 'passed' : 'not yet') : '-',
      r.lastActivity ? r.lastActivity.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-',
    ]);
  }
  ctx.out(...table(rows));
  return 0;
}

/** Acting on every lab of the class throws away work: asked first. */
async function confirmAll(ctx: CommandContext, target: string, what: string): Promise<boolean> {
  if (target !== ALL) return true;
  const ans = (await ctx.ask(`${what} of every trainee (yes|no)? `)).trim().toLowerCase();
  if (ans === 'yes' || ans === 'y') return true;
  ctx.out('Nothing was changed.');
  return false;
}

export function classModule(ctl: ClassControl): CommandModule {
  const trainees = (_c: CompletionContext) => [...ctl.names(), ALL];
  return {
    menus: [{ path: ['class'], summary: 'The class: trainees, exercises, resets, messages' }],
    commands: [
      {
        path: ['class', 'list'],
        summary: 'Lists the trainees: sessions online, security mode, phones, exercise and goals met.',
        syntax: 'class list',
        run: (ctx) => list(ctl, ctx),
      },
      {
        path: ['class', 'assign'],
        summary: "Builds an exercise's starting state in one trainee's lab, or in every lab (all, the default).",
        syntax: 'class assign <exercise> [<trainee>|all]',
        params: [
          { name: 'exercise', required: true, help: 'exercise id (cucm-sim exercise list)', values: () => ctl.exercises() },
          { name: 'trainee', required: false, help: 'a trainee, or all', values: trainees },
        ],
        async run(ctx, a) {
          const w = who(ctl, ctx, a.trainee);
          if (!w || !(await confirmAll(ctx, w, `Replace the lab with exercise ${a.exercise}`))) return w ? 0 : 1;
          const done = await ctl.assign(w, a.exercise);
          ctx.out(`Exercise ${a.exercise} assigned to ${done.join(', ')}.`);
          return 0;
        },
      },
      {
        path: ['class', 'reset'],
        summary: "Builds a trainee's lab again (the exercise's starting state when one is assigned: a new attempt), or every lab.",
        syntax: 'class reset [<trainee>|all]',
        params: [{ name: 'trainee', required: false, help: 'a trainee, or all', values: trainees }],
        async run(ctx, a) {
          const w = who(ctl, ctx, a.trainee);
          if (!w || !(await confirmAll(ctx, w, 'Reset the lab'))) return w ? 0 : 1;
          const done = await ctl.reset(w);
          ctx.out(`Reset: ${done.join(', ')}.`);
          return 0;
        },
      },
      {
        path: ['class', 'unlock'],
        summary: 'Lifts the SSH lockout of a trainee (from every address) and forgets failed attempts.',
        syntax: 'class unlock <trainee>',
        params: [{ name: 'trainee', required: true, help: 'the trainee', values: () => ctl.names() }],
        async run(ctx, a) {
          if (!ctl.names().includes(a.trainee)) return ctx.fail(`No trainee '${a.trainee}' in this class ('class list' shows them).`);
          const n = await ctl.unlock(a.trainee);
          ctx.out(n ? `Unlocked ${a.trainee} (${n} lockout${n === 1 ? '' : 's'} lifted).` : `${a.trainee} is not locked out.`);
          return 0;
        },
      },
      {
        path: ['class', 'report'],
        summary: 'Writes the gradebook (CSV and JSON) and every recorded session into the class folder, while the class goes on.',
        syntax: 'class report',
        run(ctx) {
          const r = ctl.report();
          ctx.out(`Gradebook of ${r.trainees} trainee${r.trainees === 1 ? '' : 's'}: ${r.out}/gradebook.csv, ${r.out}/gradebook.json; ${r.files} session file${r.files === 1 ? '' : 's'} in ${r.out}/transcripts`);
          return 0;
        },
      },
      {
        path: ['class', 'message'],
        summary: 'Broadcasts a one-line message to the sessions of every trainee (or of one: --trainee NAME), as wall does.',
        syntax: 'class message <text> [--trainee <name>]',
        params: [{ name: 'text', required: true, help: 'the message (one line)', rest: true }],
        run(ctx, a) {
          const w = ctl.selected();
          const n = ctl.message(a.text, w);
          ctx.out(`Message sent to ${n} session${n === 1 ? '' : 's'}${w ? ` of ${w}` : ''}.`);
          return 0;
        },
      },
    ],
  };
}
