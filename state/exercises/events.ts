// The event log of a running exercise: what was done since it started, kept in the lab so checks
// (and a classroom grading the lab afterwards) see it. Nothing is kept for a lab without an exercise.
import type { LabState } from '../cluster/state.js';
import { MAX_EVENTS, type ConsoleKind, type ErasedPhone, type ExerciseEvent, type ExerciseRecord } from './model.js';

interface LabLike {
  state: LabState;
  nowMs(): number;
}

/** The running exercise of a lab, if any. */
export function activeExercise(lab: LabLike): ExerciseRecord | undefined {
  return lab.state.exercise;
}

function push(x: ExerciseRecord, ev: ExerciseEvent): void {
  x.events.push(ev);
  if (x.events.length > MAX_EVENTS) {
    const drop = x.events.length - MAX_EVENTS;
    x.events.splice(0, drop);
    x.droppedEvents += drop;
  }
}

/** A command typed on a console; `command` is the resolved command's words (abbreviations expanded). */
export function recordCommand(
  lab: LabLike,
  ev: { console: ConsoleKind; node: string; line: string; command?: string; status: number },
): void {
  const x = activeExercise(lab);
  if (!x) return;
  push(x, { at: lab.nowMs(), kind: 'command', ...ev });
  if (ev.command) {
    const key = `${ev.console}:${ev.command}`;
    x.tallies.commands[key] = (x.tallies.commands[key] ?? 0) + 1;
  }
}

/** A service started: a restart, a start, a node's boot, the restart `utils itl reset` makes. */
export function recordServiceStart(lab: LabLike, node: string, service: string): void {
  const x = activeExercise(lab);
  if (!x) return;
  push(x, { at: lab.nowMs(), kind: 'service-start', node, service });
  const key = `${node}/${service}`;
  x.tallies.starts[key] = (x.tallies.starts[key] ?? 0) + 1;
}

/**
 * A trust list erased by hand on phones (phones delete-itl / delete-ctl): the phones it reached,
 * resolved when the command ran, so a pool or `all` means the phones it held then.
 */
export function recordErase(lab: LabLike, list: 'ITL' | 'CTL', phones: ErasedPhone[]): void {
  const x = activeExercise(lab);
  if (!x || phones.length === 0) return;
  const reached = phones.map((p) => ({ name: p.name, model: p.model, devicePool: p.devicePool }));
  push(x, { at: lab.nowMs(), kind: 'erase', list, phones: reached });
  const erased = (x.tallies.erased ??= {});
  for (const p of reached) {
    const key = `${list}/${p.name}`;
    erased[key] = { ...p, count: (erased[key]?.count ?? 0) + 1 };
  }
}

/** The phones a hand erase of these lists reached since the start. */
export function erasedPhones(x: ExerciseRecord, lists: Array<'ITL' | 'CTL'>): ErasedPhone[] {
  const out: ErasedPhone[] = [];
  for (const [key, p] of Object.entries(x.tallies.erased ?? {})) if (lists.includes(key.slice(0, key.indexOf('/')) as 'ITL' | 'CTL')) out.push(p);
  return out;
}

/** How many times commands starting with these words ran on that console since the start. */
export function commandCount(x: ExerciseRecord, console: ConsoleKind, words: string): number {
  const want = words.trim().replace(/\s+/g, ' ').toLowerCase();
  let n = 0;
  for (const [key, count] of Object.entries(x.tallies.commands)) {
    const [c, cmd] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1).toLowerCase()];
    if (c === console && (cmd === want || cmd.startsWith(want + ' '))) n += count;
  }
  return n;
}

export function startCount(x: ExerciseRecord, node: string, service: string): number {
  const want = service.trim().replace(/\s+/g, ' ').toLowerCase();
  let n = 0;
  for (const [key, count] of Object.entries(x.tallies.starts)) {
    const i = key.indexOf('/');
    if (key.slice(0, i).toLowerCase() === node.toLowerCase() && key.slice(i + 1).toLowerCase() === want) n += count;
  }
  return n;
}
