// The instructor's console (`ssh lab@host` on a served class): the lab console's commands, each
// acting on the lab of the trainee named with `--trainee NAME`, and the class commands.
import type { SessionIO, RunResult } from '../console/io.js';
import type { Completion } from '../console/completion.js';
import { LabConsole } from '../console/lab-console.js';
import { labRegistryWith } from '../../commands/lab/index.js';
import { classModule, type ClassControl } from '../../commands/lab/class.js';
import type { Classroom } from './classroom.js';
import { writeReport } from './report.js';

const OWN = new Set(['class', 'help', 'quit', 'exit']);

/** The line without `--trainee NAME`, and the name (empty when the flag has no value). */
export function splitTrainee(line: string): { rest: string; trainee?: string } {
  const words = line.trim().split(/\s+/);
  const i = words.indexOf('--trainee');
  if (i < 0) return { rest: line };
  const trainee = words[i + 1] ?? '';
  words.splice(i, 2);
  return { rest: words.join(' '), trainee };
}

export interface InstructorOptions {
  width?: number;
  height?: number;
  pace?: 'fast' | 'realistic';
  exec?: boolean;
}

export class InstructorConsole extends LabConsole {
  private selectedTrainee?: string;
  private readonly perTrainee = new Map<string, LabConsole>();

  constructor(
    private readonly room: Classroom,
    private readonly o: InstructorOptions = {},
  ) {
    const holder: { self?: InstructorConsole } = {};
    const control: ClassControl = {
      names: () => room.names(),
      rows: () => room.trainees(),
      exercises: () => room.exerciseIds(),
      assign: (who, id) => room.assign(who, id),
      reset: (who) => room.reset(who),
      unlock: (who) => room.unlock(who),
      message: (text, who) => room.message(text, who),
      selected: () => holder.self?.selectedTrainee,
      // the labs as served: the report needs no stop of the class
      report: () => {
        const r = writeReport(room.dir, (name) => room.lab(name));
        return { out: r.out, trainees: r.rows.length, files: r.files };
      },
    };
    // the anchor lab only feeds Tab completion: every lab command names its trainee
    super({ lab: room.anchor(), user: 'lab', width: o.width, height: o.height, pace: o.pace, exec: o.exec, registry: labRegistryWith([classModule(control)]) });
    holder.self = this;
  }

  override bannerLines(): string[] {
    const n = this.room.names().length;
    return [
      `cucm-sim class '${this.room.name}': ${n} trainee${n === 1 ? '' : 's'}, each with a lab of their own`,
      "'class list' shows them; add --trainee NAME to any lab console command to act on that trainee's lab.",
      "Type 'help' for the commands; '?' and Tab complete as on the admin: CLI.",
      '',
    ];
  }

  /** Tab after `--trainee` completes a trainee's name; anywhere else, the lab console's words. */
  override completion(line: string): Completion {
    const words = line.split(/\s+/);
    const partial = words[words.length - 1];
    if (words.length < 2 || words[words.length - 2] !== '--trainee') return super.completion(line);
    const names = this.room.names().filter((n) => n.startsWith(partial));
    const head = line.slice(0, line.length - partial.length);
    if (names.length === 1) return { line: `${head}${names[0]} ` };
    if (!names.length) return { line };
    let common = names[0];
    for (const n of names) while (!n.startsWith(common)) common = common.slice(0, -1);
    return { line: head + common, list: [names.join('  ')] };
  }

  /** True when the line is a lab command (it acts on a trainee's lab), not a class, help or quit line. */
  private forTrainee(rest: string): boolean {
    const t = rest.trim();
    if (!t || t.startsWith('#') || t.endsWith('?')) return false;
    const r = this.registry.resolve(t, { lab: this.lab, node: this.node });
    const head = r.kind === 'command' || r.kind === 'badparam' ? r.spec.path[0] : r.kind === 'incomplete' ? r.path[0] : undefined;
    return head !== undefined && !OWN.has(head);
  }

  override async run(line: string, io: SessionIO): Promise<RunResult> {
    const { rest, trainee } = splitTrainee(line);
    const fail = (text: string): RunResult => {
      this.emit(line + '\n', 'echo');
      this.emit(text + '\n');
      return { status: 1, ended: false };
    };
    if (trainee === '') return fail('--trainee needs a name (class list shows them).');
    if (trainee !== undefined && !this.room.lab(trainee)) return fail(`No trainee '${trainee}' in this class ('class list' shows them).`);
    if (!this.forTrainee(rest)) {
      this.selectedTrainee = trainee;
      try {
        return await super.run(rest, io);
      } finally {
        this.selectedTrainee = undefined;
      }
    }
    if (trainee === undefined) return fail(`Name the trainee whose lab this is for: ${rest.trim()} --trainee NAME ('class list' shows them).`);
    let c = this.perTrainee.get(trainee);
    if (!c) this.perTrainee.set(trainee, (c = this.room.labConsole(trainee, { exec: this.o.exec })));
    c.width = this.width;
    c.height = this.height;
    this.emit(line + '\n', 'echo');
    const off = c.on((text, kind) => {
      if (kind !== 'echo') this.emit(text, kind);
    });
    try {
      return await c.run(rest, io);
    } finally {
      off();
    }
  }
}
