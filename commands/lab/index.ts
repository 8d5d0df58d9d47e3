// The lab console's command families. Deliberately separate from the admin: registry (../index.ts).
import type { CommandModule } from '../../src/console/command.js';
import { Registry } from '../../src/console/registry.js';
import cluster from './cluster.js';
import phones from './phones.js';
import clock from './clock.js';
import drs from './drs.js';
import exercise from './exercise.js';
import version from './version.js';
import session, { forExec } from './session.js';

export const LAB_MODULES: CommandModule[] = [cluster, version, phones, clock, drs, exercise, session];

/** Syntax lines with <mandatory> and [optional] parameters. */
function withSyntax(m: CommandModule): CommandModule {
  return {
    ...m,
    commands: m.commands.map((c) =>
      c.syntax ? c : { ...c, syntax: [...c.path, ...(c.params ?? []).map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`))].join(' ') },
    ),
  };
}

let cached: Registry | undefined;
export function labRegistry(): Registry {
  return (cached ??= new Registry(LAB_MODULES.map(withSyntax)));
}

let cachedExec: Registry | undefined;
/** For SSH exec requests: the same commands, but reset-lab refuses (a script cannot throw the lab away). */
export function labExecRegistry(): Registry {
  return (cachedExec ??= new Registry(LAB_MODULES.map(forExec).map(withSyntax)));
}

/** The lab console's commands and more (a class's instructor commands), with syntax lines. */
export function labRegistryWith(extra: CommandModule[]): Registry {
  return new Registry([...LAB_MODULES, ...extra].map(withSyntax));
}

/** What a trainee may not do to their own lab in a class: the instructor's account, lockouts and rebuilds. */
const INSTRUCTOR_ONLY = (path: readonly string[]) => path[0] === 'reset-lab' || path[0] === 'unlock' || (path[0] === 'set' && path[1] === 'password');

let cachedTrainee: Registry | undefined;
/** A class trainee's own lab console: the lab console without the instructor's commands. */
export function labTraineeRegistry(): Registry {
  return (cachedTrainee ??= new Registry(
    LAB_MODULES.map((m) => {
      const commands = m.commands.filter((c) => !INSTRUCTOR_ONLY(c.path));
      // a menu left with no command under it would offer nothing
      const menus = m.menus?.filter((menu) => commands.some((c) => menu.path.every((w, i) => c.path[i] === w)));
      return withSyntax({ ...m, commands, ...(m.menus ? { menus } : {}) });
    }),
  ));
}
