// Running a runbook: a lab made from its header, each command typed on its console through drive(),
// the output compared with the expected text; mismatches collected (and rewritten with --update).
import { isPagerEvent } from '../console/io.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, NodeState } from '../../state/cluster/lab.js';
import { loadTopology, Topology } from '../../state/cluster/topology.js';
import { labDir, listLabs, newLab } from '../../state/labs.js';
import { CliSession } from '../console/admin-console.js';
import { drive, type Console, type DriveResult } from '../console/drive.js';
import { localTransfer } from '../net/transfer.js';
import { Recorder, RecordOptions } from '../recording/recorder.js';
import { Redactor, RedactOptions, redactContextOf } from '../recording/redact.js';
import { DialogAnswers, type QueuedAnswer } from './dialog.js';
import { errorProblem, isErrorLine, type ExpectError } from './errors.js';
import { align, firstDiffLine, matches, unifiedDiff, type Op } from './match.js';
import { CommandBlock, DEFAULT_CLOCK, DEFAULT_SEED, Directive, PROMPTS, Runbook, RunbookError, SourceLine, commandOf, parseRunbook } from './parse.js';
import { Replacement, rewriteRunbook, updatedLines } from './update.js';
import type { ExerciseExpectation } from './exercise.js';

export interface Mismatch {
  /** 'output': the output differs from the expected text; 'error': a CLI error the runbook hides */
  kind: 'output' | 'error';
  /** runbook line of the first difference (of the wildcard that covers the error, for 'error') */
  line: number;
  /** runbook line of the command */
  commandLine: number;
  command: string;
  /** the unified diff ('output'), or why the error fails the step ('error') */
  diff: string;
  /** the CLI error line found in the output ('error') */
  errorLine?: string;
}

export interface RunbookResult {
  file: string;
  passed: boolean;
  commands: number;
  mismatches: Mismatch[];
  /** a problem with the runbook (malformed, unterminated dialog, unknown node ...) */
  error?: RunbookError;
  /** set when --update rewrote the file */
  updated?: boolean;
  /** --fill: blocks whose output was written in (not written when fillRefused) */
  filled?: number;
  fillRefused?: boolean;
  /** things worth telling the author that do not fail the run (--fill: commands that failed) */
  notes?: string[];
  /** the exercise's result, with --expect-exercise */
  exercise?: ExerciseExpectation;
  ms: number;
}

export interface RunOptions {
  /** run against this lab instead of a fresh one (it is not closed) */
  lab?: Lab;
  /** open or create this named lab in dataDir instead of a fresh temporary one */
  labName?: string;
  dataDir?: string;
  seed?: number;
  clock?: string;
  /** topology file used when the runbook has no topology directive */
  topologyFile?: string;
  update?: boolean;
  /** write the actual output into commands that have no expected output (a command-only skeleton) */
  fill?: boolean;
  /** called before each command runs (the runner's progress line) */
  onCommand?: (command: string) => void;
  record?: RecordOptions & { redactOptions?: RedactOptions };
  /** runbook text, instead of reading `file` */
  text?: string | Buffer;
  /** node the runbook starts on (a transcript recorded on a subscriber); default the publisher */
  node?: string;
  /** also require this result of the lab's exercise after the last command */
  expectExercise?: 'pass' | 'fail';
  /** where `#! exercise ID` is looked up after the runbook's own folder */
  exerciseDir?: string;
}

/** Makes a lab console on a lab (the module is loaded only when a runbook uses `lab>`). */
export async function loadLabConsole(): Promise<(lab: Lab) => Console> {
  const { LabConsole } = await import('../console/lab-console.js');
  return (lab) => new LabConsole({ lab });
}

function outputLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function resolveLabSettings(rb: Runbook, opts: RunOptions): { seed?: number; clock?: string; topology?: Topology } {
  const seed = rb.header.seed === null ? undefined : (rb.header.seed ?? opts.seed ?? DEFAULT_SEED);
  const clock = rb.header.clock === null ? undefined : (rb.header.clock ?? opts.clock ?? (seed !== undefined ? DEFAULT_CLOCK : undefined));
  let topology = rb.header.topology;
  if (!topology && opts.topologyFile) topology = loadTopology(opts.topologyFile);
  return { seed, clock, topology };
}

/** Runs one runbook against a fresh lab (or the given one); never throws for runbook problems. */
export async function runRunbook(file: string, opts: RunOptions = {}): Promise<RunbookResult> {
  const t0 = Date.now();
  const result: RunbookResult = { file, passed: false, commands: 0, mismatches: [], ms: 0 };
  let rb: Runbook;
  try {
    const data = opts.text !== undefined ? (typeof opts.text === 'string' ? Buffer.from(opts.text) : opts.text) : readFileSync(file);
    rb = parseRunbook(data, file);
  } catch (e) {
    result.error = e instanceof RunbookError ? e : new RunbookError(file, 1, (e as Error).message);
    result.ms = Date.now() - t0;
    return result;
  }
  let lab: Lab | undefined = opts.lab;
  let tempDir: string | undefined;
  let recorder: Recorder | undefined;
  const replacements: Replacement[] = [];
  try {
    const settings = resolveLabSettings(rb, opts);
    if (rb.header.exercise) {
      if (lab) throw new RunbookError(file, rb.header.exercise.line, `'#! exercise' builds its own lab: run this runbook without a lab of its own`);
      // loaded only for exercise runbooks, as the lab console is only for runbooks that use it
      const { labForRunbookExercise } = await import('./exercise.js');
      ({ lab, tempDir } = await labForRunbookExercise(rb.header.exercise, file, opts));
    } else if (!lab) {
      if (opts.labName) {
        const dir = labDir({ dataDir: opts.dataDir, lab: opts.labName });
        if (Lab.exists(dir)) lab = Lab.open(dir, 'cucm-sim run');
        else if (opts.labName !== 'default') {
          // as everywhere else, a named lab is made with `lab create`: a typo never builds a stray lab
          const names = listLabs(opts.dataDir).map((l) => l.name);
          const have = names.length ? `labs: ${names.join(', ')}` : 'no labs yet';
          throw new RunbookError(file, 1, `no lab '${opts.labName}' (${have}); create it with 'cucm-sim lab create ${opts.labName}'`);
        } else {
          const topology = settings.topology ? { ...settings.topology, name: opts.labName } : undefined;
          lab = await newLab({ dir, seed: settings.seed, clock: settings.clock, topology });
        }
      } else {
        tempDir = mkdtempSync(join(tmpdir(), 'cucm-sim-run-'));
        lab = await newLab({ dir: tempDir, seed: settings.seed, clock: settings.clock, topology: settings.topology });
      }
    }
    if (opts.record) {
      const { redactOptions, ...r } = opts.record;
      const redact = redactOptions ? new Redactor(redactOptions, redactContextOf(lab)) : r.redact;
      recorder = new Recorder({ deterministic: settings.seed !== undefined && settings.clock !== undefined, startNode: lab.publisher().name, ...r, redact });
    }
    await execute(rb, lab, result, replacements, { recorder, startNode: opts.node, fill: opts.fill, onCommand: opts.onCommand });
    if (opts.expectExercise) {
      const { exerciseExpectation } = await import('./exercise.js');
      result.exercise = exerciseExpectation(lab, opts.expectExercise);
      if (!result.exercise) throw new RunbookError(file, 1, `--expect-exercise: the lab runs no exercise (start the runbook with '#! exercise ID')`);
    }
  } catch (e) {
    if (e instanceof RunbookError) result.error = e;
    else result.error = new RunbookError(file, rb.header.topologyLine ?? 1, (e as Error).message);
  } finally {
    recorder?.close();
    if (lab && !opts.lab) lab.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
  const differing = result.mismatches.filter((m) => m.kind === 'output').length;
  if (!result.error && opts.text === undefined) {
    if (opts.fill && result.filled && differing && !opts.update) {
      // filling never rewrites expected output that is there already, unless --update says so
      result.fillRefused = true;
      (result.notes ??= []).push(`${file}: not filled: ${differing} command${differing === 1 ? '' : 's'} with expected output differ (add --update to rewrite them too)`);
    } else if ((opts.update && differing) || (opts.fill && result.filled)) {
      try {
        rewriteRunbook(rb, file, replacements);
        result.updated = !!differing;
      } catch (e) {
        result.error = new RunbookError(file, 1, `cannot write the runbook back: ${(e as Error).message}`);
      }
    }
  }
  const exerciseOk = !result.exercise || result.exercise.actual === result.exercise.expected;
  const unfixed = result.mismatches.filter((m) => m.kind === 'error' || !result.updated).length;
  result.passed = !result.error && unfixed === 0 && exerciseOk;
  result.ms = Date.now() - t0;
  return result;
}

async function execute(
  rb: Runbook,
  lab: Lab,
  result: RunbookResult,
  replacements: Replacement[],
  how: { recorder?: Recorder; startNode?: string; fill?: boolean; onCommand?: (command: string) => void },
): Promise<void> {
  const { recorder, fill } = how;
  let startNode = how.startNode;
  const file = rb.file;
  const sessions = new Map<string, CliSession>();
  let labConsole: Console | undefined;
  let node: NodeState = lab.publisher();
  // an exercise's runbook starts where the trainee's admin: session does
  startNode ??= lab.state.exercise?.node;
  if (startNode) {
    const n = lab.node(startNode);
    if (!n) throw new RunbookError(file, 1, `--node ${startNode}: no such node in this lab (nodes: ${lab.nodes.map((x) => x.name).join(', ')})`);
    node = n;
  }
  let pendingAnswers: { values: QueuedAnswer[]; line: number } | undefined;
  let pendingExpect: ExpectError | undefined;

  const nodeNamed = (d: Directive): NodeState => {
    const n = lab.node(d.arg);
    if (!n) throw new RunbookError(file, d.line, `no node '${d.arg}' in this lab (nodes: ${lab.nodes.map((x) => x.name).join(', ')})`);
    return n;
  };

  const sessionFor = (n: NodeState): CliSession => {
    let s = sessions.get(n.name);
    if (!s) {
      s = new CliSession({ lab, node: n, width: 80, transfer: localTransfer() });
      sessions.set(n.name, s);
      if (recorder) recorder.attach(s);
    }
    return s;
  };

  /** The alignment when the output matches; undefined after recording a mismatch. */
  const compare = (title: string, expected: SourceLine[], actual: string[], at: number, from: number, to: number): Op[] | undefined => {
    const ops = align(
      expected.map((e) => e.text),
      actual,
    );
    if (matches(ops)) return ops;
    result.mismatches.push({
      kind: 'output',
      line: firstDiffLine(expected, ops, at + 1),
      commandLine: at,
      command: title,
      diff: unifiedDiff(file, title, expected, actual, ops, at + 1),
    });
    replacements.push({ from, to, lines: updatedLines(expected, actual, ops) });
    return undefined;
  };

  const consoleFor = async (item: CommandBlock): Promise<Console> => {
    if (item.console === 'admin') return sessionFor(node);
    if (!labConsole) {
      const make = await loadLabConsole();
      if (!make) throw new RunbookError(file, item.line, `lab console not available in this build (needed for 'lab>${item.command}')`);
      labConsole = make(lab);
      if (recorder) recorder.attach(labConsole);
    }
    return labConsole;
  };

  const items = rb.items;
  let idx = 0;
  // a transcript recorded on a subscriber starts with its `#! node`: the banner is that node's
  for (; idx < items.length && items[idx].kind === 'directive' && (items[idx] as Directive).name === 'node'; idx++) node = nodeNamed(items[idx] as Directive);

  // the login banner (of the console the first command is typed on), when the transcript starts with it
  if (rb.preamble) {
    const first = rb.items.find((x): x is CommandBlock => x.kind === 'command')!;
    const s = await consoleFor(first);
    let text = '';
    const off = s.on((t, k) => {
      if (!isPagerEvent(k)) text += t;
    });
    await s.banner?.();
    off();
    const pre = rb.preamble;
    const firstLine = pre.expected[0].line;
    compare('login banner', pre.expected, outputLines(text), firstLine - 1, pre.from, pre.to);
  }

  for (; idx < items.length; idx++) {
    const item = items[idx];
    if (item.kind === 'directive') {
      if (item.name === 'node') node = nodeNamed(item);
      else if (item.name === 'answer') {
        if (!pendingAnswers) pendingAnswers = { values: [], line: item.line };
        pendingAnswers.values.push({ text: item.arg, line: item.line });
      } else if (item.name === 'expect-error') {
        if (pendingExpect) throw new RunbookError(file, item.line, `a second '#! expect-error' for one command (the first is at line ${pendingExpect.line})`);
        pendingExpect = { text: item.arg.trim(), line: item.line };
      }
      continue;
    }
    const target = await consoleFor(item);
    how.onCommand?.(`${item.console === 'admin' ? PROMPTS.admin : PROMPTS.lab}${item.command}`);

    const queue = pendingAnswers?.values ?? [];
    const answerLine = pendingAnswers?.line;
    pendingAnswers = undefined;
    const expect = pendingExpect;
    pendingExpect = undefined;
    const dialog = new DialogAnswers(item.expected, queue, lab);
    // the prompt is shown (and recorded) but is not part of the command's output
    target.showPrompt();
    let r: DriveResult;
    try {
      r = await drive(target, item.command, { answers: dialog.answer, onOutput: dialog.onOutput, echo: false });
    } catch (e) {
      throw new RunbookError(file, item.line, `'${item.console === 'admin' ? PROMPTS.admin : PROMPTS.lab}${item.command}' failed: ${(e as Error).message}`);
    }
    result.commands++;
    const prompt = item.console === 'admin' ? PROMPTS.admin : PROMPTS.lab;
    if (r.unanswered !== undefined) {
      throw new RunbookError(
        file,
        item.line,
        `unterminated dialog: '${prompt}${item.command}' asked "${r.unanswered.trimEnd()}" and the transcript has no answer for it (expected a line starting with that question, or '#! answer TEXT' before the command)`,
      );
    }
    if (queue.length) throw new RunbookError(file, answerLine!, `'#! answer' left unused by '${prompt}${item.command}' (answers apply to the hidden or masked prompts of the next command)`);
    if (r.ended) {
      if (item.console === 'admin') sessions.delete(node.name);
      else labConsole = undefined;
    }
    // output lines that look like commands (help examples) belong to this command's output
    const actual = outputLines(r.output);
    let expected = item.expected;
    let to = item.to;
    for (const l of actual.filter((x) => commandOf(x))) {
      const next = items[idx + 1];
      if (!next || next.kind !== 'command') break;
      const cmdText = (next.console === 'admin' ? PROMPTS.admin : PROMPTS.lab) + next.command;
      if (cmdText.trimEnd() !== l.trimEnd()) break;
      idx++;
      expected = [...expected, { text: cmdText, line: next.line }, ...next.expected];
      to = next.to;
    }
    const title = prompt + item.command;
    if (fill && expected.every((l) => !l.text.trim())) {
      // a skeleton's command (blank lines between commands are no expected output): its output is
      // written in, with no `#! answer` left for what it now shows
      if (!actual.length) continue;
      replacements.push({ from: item.from, to, lines: actual });
      for (const l of dialog.visibleAnswerLines) replacements.push({ from: l - 1, to: l, lines: [] });
      result.filled = (result.filled ?? 0) + 1;
      // the filled text expects whatever error the command printed: the author should know
      const err = actual.find(isErrorLine) ?? (r.status !== 0 ? [...actual].reverse().find((l) => l.trim()) : undefined);
      if ((err !== undefined || r.status !== 0) && !expect) {
        (result.notes ??= []).push(`${file}:${item.line}: '${title}' failed${r.status !== 0 ? ` (status ${r.status})` : ''}: "${(err ?? '').trim()}"; the filled output now expects this error`);
      }
      // a skeleton's `#! expect-error` still has to come true
      const filled = actual.map((text) => ({ text, line: item.line }));
      const p = expect && errorProblem(filled, actual, align(actual, actual), r.status, item.line, expect);
      if (p) result.mismatches.push({ kind: 'error', line: p.line, commandLine: item.line, command: title, diff: p.message, errorLine: p.errorLine });
      continue;
    }
    const ops = compare(title, expected, actual, item.line, item.from, to);
    if (!ops) continue;
    const p = errorProblem(expected, actual, ops, r.status, item.line, expect);
    if (p) result.mismatches.push({ kind: 'error', line: p.line, commandLine: item.line, command: title, diff: p.message, errorLine: p.errorLine });
  }
  if (pendingExpect) throw new RunbookError(file, pendingExpect.line, `'#! expect-error' with no command after it`);
}
