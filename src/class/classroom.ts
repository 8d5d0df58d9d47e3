// A class: one lab per trainee in a class folder, the trainees' sessions (online counts, recorded
// transcripts, wall messages), and what the instructor does to it (assign, reset, unlock, message).
// The lab console's class commands, the dashboard and `serve --class` all act through this.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Lab } from '../../state/cluster/lab.js';
import { defaultTopology, loadTopology, normalizeTopology, type Topology } from '../../state/cluster/topology.js';
import { newLab } from '../../state/labs.js';
import { ensurePrivateDir } from '../../state/store.js';
import { unlockAccounts, writeSecretFile } from '../../state/cluster/logins.js';
import { rebuildLab } from '../../state/ops/rebuild.js';
import { exerciseDir, findExercise, listExercises } from '../../state/exercises/loader.js';
import type { ExerciseDef } from '../../state/exercises/model.js';
import { LabConsole } from '../console/lab-console.js';
import { labTraineeRegistry } from '../../commands/lab/index.js';
import { rebuildWithExercise } from '../runbook/exercise.js';
import { ClassError, nameProblem, writeSheet } from './roster.js';
import { SessionLog } from './sessions.js';
import { traineeView } from './views.js';
import type { ClassFile, ClassroomOptions, TraineeEntry, TraineeView } from './types.js';

export { ClassError };
export type { TraineeView, ClassroomOptions, TraineeEntry };

export const CLASS_FILE = 'class.json';
export const LAB_PASSWORD_FILE = 'lab-password';
/** 'change' events for one trainee are gathered for this long (a command makes several changes) */
const COALESCE_MS = 50;

function readClass(dir: string): ClassFile | undefined {
  const path = join(dir, CLASS_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const f = JSON.parse(readFileSync(path, 'utf8')) as ClassFile;
    if (f.format !== 1 || !Array.isArray(f.trainees) || !f.trainees.length) throw new Error('not a class file');
    // the names become folder names and accounts: checked again, whoever edited the file
    for (const n of f.trainees) {
      const bad = typeof n === 'string' ? nameProblem(n) : 'not a name';
      if (bad) throw new Error(`trainee ${JSON.stringify(String(n).slice(0, 40))}: ${bad}`);
    }
    return f;
  } catch (e) {
    throw new ClassError(`${path}: ${(e as Error).message}`);
  }
}

/** The exercise as a trainee gets it: their own OS administrator account, whatever it names. */
function forTrainee(def: ExerciseDef, user: string, password: string): ExerciseDef {
  const topology = { ...(def.topology ?? {}) };
  topology.accounts = { ...((topology.accounts as Record<string, unknown> | undefined) ?? {}), admin: { user, password } };
  return { ...def, topology };
}

/** Runs fn over the items, `size` at a time; after a failure no new item is started. */
async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      try {
        await fn(items[next++]);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
}

export class Classroom extends EventEmitter {
  /** trainees whose lab (and password) was made by this open(): the sheet to print once */
  readonly created: TraineeEntry[] = [];
  /** the class folder was made by this open() (a start cut short may have made some labs before) */
  fresh = false;
  private readonly labs = new Map<string, Lab>();
  private readonly offs: Array<() => void> = [];
  private readonly pending = new Set<string>();
  private timer?: NodeJS.Timeout;
  private readonly activity = new Map<string, number>();
  private readonly views = new Map<string, TraineeView>();
  readonly sessions: SessionLog;
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly file: ClassFile,
    readonly labPassword: string,
    private readonly opts: ClassroomOptions,
  ) {
    super();
    this.sessions = new SessionLog(join(dir, 'transcripts'), {
      activity: (name) => this.touch(name, true),
      transcript: (name, text) => this.emit('transcript', name, text),
    });
  }

  get name(): string {
    return this.file.name;
  }

  /**
   * Opens the class folder, creating it and every trainee's lab at once (eager: the instructor sees
   * each lab from the start and a login never waits for a lab to be built). A folder that exists
   * keeps its roster: a roster given again must name the same trainees.
   */
  static async open(dir: string, opts: ClassroomOptions = {}): Promise<Classroom> {
    ensurePrivateDir(dir);
    ensurePrivateDir(join(dir, 'labs'));
    ensurePrivateDir(join(dir, 'transcripts'));
    let file = readClass(dir);
    const given = opts.trainees;
    if (file && given) {
      const kept = [...file.trainees].sort().join(',');
      if ([...given.map((g) => g.name)].sort().join(',') !== kept) {
        throw new ClassError(`the class folder ${dir} holds the trainees ${file.trainees.join(', ')}: start it without a roster to resume it, or use another --class-dir`);
      }
    }
    if (!file) {
      if (!given?.length) throw new ClassError(`${dir} holds no class: give a roster (--class FILE or --trainees N)`);
      const topology: Topology = opts.topology ? loadTopology(opts.topology) : defaultTopology();
      file = {
        format: 1,
        name: opts.name ?? basename(dir),
        createdAt: new Date().toISOString(),
        trainees: given.map((g) => g.name),
        topology,
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
      };
    } else if (opts.topology) {
      throw new ClassError(`the class in ${dir} exists; --topology only applies when a class is created`);
    }
    const passwords = new Map((given ?? []).map((g) => [g.name, g.password]));
    const labPassword = opts.labPassword ?? readPassword(dir) ?? randomBytes(12).toString('base64url');
    const room = new Classroom(dir, file, labPassword, opts);
    room.fresh = !existsSync(join(dir, CLASS_FILE));
    try {
      await room.openLabs(passwords);
      for (const [name, lab] of room.labs) {
        if (lab.state.accounts.admin.password === labPassword) throw new ClassError(`the lab console password equals the password of ${name}: every trainee must not know it`);
      }
    } catch (e) {
      room.close();
      throw e;
    }
    if (readPassword(dir) !== labPassword) writeSecretFile(join(dir, LAB_PASSWORD_FILE), labPassword + '\n');
    writeSecretFile(join(dir, CLASS_FILE), JSON.stringify(file, null, 2) + '\n');
    if (room.fresh || room.created.length) writeSheet(dir, room.roster());
    return room;
  }

  private async openLabs(passwords: Map<string, string>): Promise<void> {
    const names = this.file.trainees;
    let done = 0;
    const owner = `cucm-sim serve --class (${this.file.name})`;
    await pool(names, this.opts.concurrency ?? 4, async (name) => {
      if (this.closed) return;
      const dir = join(this.dir, 'labs', name);
      let lab: Lab;
      if (Lab.exists(dir)) lab = Lab.open(dir, owner);
      else {
        const password = passwords.get(name);
        if (!password) throw new ClassError(`the lab of ${name} is missing from ${this.dir} and no password is known for it`);
        const topology = normalizeTopology(this.file.topology ?? {}, `${this.dir}/${CLASS_FILE}`);
        topology.name = name;
        topology.accounts.admin = { user: name, password };
        lab = await newLab({ dir, topology, seed: this.file.seed, clock: this.file.clock });
        this.created.push({ name, password });
      }
      // the class was closed meanwhile (another lab failed): this one is not kept either
      if (this.closed) return void lab.close();
      this.labs.set(name, lab);
      this.offs.push(lab.onChange(() => this.touch(name)));
      this.opts.progress?.(++done, names.length, name);
    });
  }

  /** Every trainee and their current password, in class order. */
  roster(): TraineeEntry[] {
    return this.file.trainees.map((name) => ({ name, password: this.labs.get(name)?.state.accounts.admin.password ?? '' }));
  }

  names(): string[] {
    return [...this.file.trainees];
  }

  lab(name: string): Lab | undefined {
    return this.labs.get(name);
  }

  /** The lab whose node names the endpoints and the instructor's console show (the first trainee's). */
  anchor(): Lab {
    return this.labs.get(this.file.trainees[0])!;
  }

  trainees(): TraineeView[] {
    return this.file.trainees.flatMap((name) => {
      const v = this.trainee(name);
      return v ? [v] : [];
    });
  }

  /**
   * One trainee's view, kept until that trainee's next change (a full class is asked for on every
   * change of any trainee; evaluating each lab anew each time would be most of the work).
   */
  trainee(name: string): TraineeView | undefined {
    const kept = this.views.get(name);
    if (kept) return kept;
    const lab = this.labs.get(name);
    if (!lab) return undefined;
    const view = traineeView(name, lab, this.sessions.online(name), this.activity.get(name));
    this.views.set(name, view);
    return view;
  }

  /** Emits one 'change' per trainee per burst of changes. */
  touch(name: string, active = false): void {
    this.views.delete(name);
    if (this.closed) return;
    if (active) this.activity.set(name, Date.now());
    this.pending.add(name);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const names = [...this.pending];
      this.pending.clear();
      for (const n of names) this.emit('change', n);
    }, COALESCE_MS);
  }

  private targets(who: string): string[] {
    if (who === '*' || who === 'all') return this.names();
    if (!this.labs.has(who)) throw new ClassError(`no trainee '${who}' in this class`);
    return [who];
  }

  exerciseIds(): string[] {
    return listExercises(exerciseDir(this.opts.exerciseDir)).exercises.map((e) => e.id);
  }

  /** Builds the exercise's starting state in each lab named (its earlier work is lost). */
  async assign(who: string, exerciseId: string): Promise<string[]> {
    const names = this.targets(who);
    const def = findExercise(exerciseId, [exerciseDir(this.opts.exerciseDir)]);
    for (const name of names) {
      const lab = this.labs.get(name)!;
      const admin = lab.state.accounts.admin;
      await rebuildWithExercise(lab, forTrainee(def, admin.user, admin.password), { name });
      this.touch(name);
    }
    return names;
  }

  /** The starting state again: a new attempt at the exercise assigned, else the plain lab. */
  async reset(who: string): Promise<string[]> {
    const names = this.targets(who);
    for (const name of names) {
      const lab = this.labs.get(name)!;
      const x = lab.state.exercise;
      const admin = lab.state.accounts.admin;
      if (x) {
        const def = findExercise(existsSync(x.source) ? x.source : x.id, [exerciseDir(this.opts.exerciseDir)]);
        await rebuildWithExercise(lab, forTrainee(def, admin.user, admin.password), { name, seed: x.seed, clock: x.clock });
      } else {
        await lab.mutate(() => rebuildLab(lab));
      }
      this.touch(name);
    }
    return names;
  }

  /** Lifts a trainee's SSH lockouts; the number lifted. */
  async unlock(who: string): Promise<number> {
    let n = 0;
    for (const name of this.targets(who)) {
      const lab = this.labs.get(name)!;
      n += (await unlockAccounts(lab, lab.state.accounts.admin.user)).length;
      this.touch(name);
    }
    return n;
  }

  /** A wall message to every trainee's sessions (or one trainee's); the number of sessions reached. */
  message(text: string, who?: string): number {
    const names = who === undefined || who === '*' || who === 'all' ? this.names() : this.targets(who);
    return this.sessions.wall(names, text, (name) => this.labs.get(name));
  }

  /** A lab console on one trainee's lab (the dashboard and `--trainee NAME` act through it). */
  labConsole(who: string, o: { width?: number; height?: number; exec?: boolean } = {}): LabConsole {
    const lab = this.labs.get(who);
    if (!lab) throw new ClassError(`no trainee '${who}' in this class`);
    return new LabConsole({ lab, user: 'lab', pace: this.opts.pace, ...o });
  }

  /** The trainee's own lab console (`ssh NAME+lab@host`): their lab only, none of the instructor's commands. */
  traineeConsole(who: string, o: { width?: number; height?: number; exec?: boolean } = {}): LabConsole {
    const lab = this.labs.get(who);
    if (!lab) throw new ClassError(`no trainee '${who}' in this class`);
    return new LabConsole({ lab, user: 'lab', pace: this.opts.pace, ...o, registry: labTraineeRegistry() });
  }

  /** Every session of the trainee recorded so far, as plain text. */
  transcript(name: string): string {
    return this.sessions.transcript(name);
  }

  /** Saves and closes every lab (after the server has ended the sessions). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    for (const off of this.offs) off();
    this.sessions.close();
    for (const lab of this.labs.values()) {
      try {
        lab.close();
      } catch {
        // a lab that cannot be written is reported by its next open
      }
    }
  }
}

function readPassword(dir: string): string | undefined {
  try {
    const pw = readFileSync(join(dir, LAB_PASSWORD_FILE), 'utf8').replace(/\r?\n$/, '');
    return pw || undefined;
  } catch {
    return undefined;
  }
}
