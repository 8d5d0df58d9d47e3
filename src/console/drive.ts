// The one way to run a command on a console without a keyboard: script mode, runbooks, the library
// API, the benchmarks and the tests all answer a command's questions through drive().
import { Cancelled, type AskOptions } from './command.js';
import { isPagerEvent, type OutputKind, type RunResult, type SessionIO } from './io.js';

/** What every console (admin: CLI, lab console) offers the code that drives it. */
export interface Console {
  on(fn: (text: string, kind: OutputKind) => void): () => void;
  showPrompt(): void;
  run(line: string, io: SessionIO): Promise<RunResult>;
  banner(): Promise<void>;
}

/**
 * Gives the answer to a question. `question` is the text of the current output line (the prompt the
 * command just printed). `undefined` means "no answer": the command is cancelled and the question is
 * reported as unanswered. The answer '\x03' cancels the command as Ctrl-C does.
 */
export type AnswerSource = (question: string, opts: AskOptions) => Promise<string | undefined> | string | undefined;

/** Answers in order (a list), by a fragment of the question (a map), or computed (a function). */
export type Answers = string[] | Record<string, string> | AnswerSource;

export function answerSource(answers: Answers = []): AnswerSource {
  if (typeof answers === 'function') return answers;
  if (Array.isArray(answers)) {
    const list = [...answers];
    return () => list.shift();
  }
  const entries = Object.entries(answers);
  return (question) => entries.find(([k]) => question.includes(k))?.[1];
}

export interface DriveOptions {
  answers?: Answers;
  /** print the console's prompt before the command, as a terminal shows it (default false) */
  prompt?: boolean;
  /** keep the echo of the command line itself in `output` (default true) */
  echo?: boolean;
  /** also receives every output event as it happens (pager prompts included) */
  onOutput?: (text: string, kind: OutputKind) => void;
  /** answers the pager prompt; without it the console pages nothing */
  pager?: SessionIO['pager'];
}

export interface DriveResult {
  /** what a terminal shows for the command (pager prompts left out) */
  output: string;
  status: number;
  ended: boolean;
  /** the question left without an answer, when there was one */
  unanswered?: string;
}

/** Runs one command line on a console, answering its questions, and collects what it printed. */
export async function drive(target: Console, command: string, opts: DriveOptions = {}): Promise<DriveResult> {
  const source = answerSource(opts.answers);
  let output = '';
  let skipEcho = opts.echo === false;
  let unanswered: string | undefined;
  const off = target.on((text, kind) => {
    opts.onOutput?.(text, kind);
    if (isPagerEvent(kind)) return;
    if (kind === 'echo' && skipEcho) {
      skipEcho = false;
      return;
    }
    output += text;
  });
  try {
    if (opts.prompt) target.showPrompt();
    const io: SessionIO = {
      answer: async (askOpts) => {
        const question = output.slice(output.lastIndexOf('\n') + 1);
        const a = await source(question, askOpts);
        if (a === undefined) {
          unanswered = question;
          throw new Cancelled();
        }
        if (a === '\x03') throw new Cancelled();
        return a;
      },
    };
    if (opts.pager) io.pager = opts.pager;
    const r = await target.run(command, io);
    return { output, status: r.status, ended: r.ended, unanswered };
  } finally {
    off();
  }
}
