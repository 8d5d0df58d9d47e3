// A runbook command's questions answered from the transcript: the answer is what follows the question
// on its expected output line; hidden prompts take `#! answer` lines or the lab's own passwords.
import type { Lab } from '../../state/cluster/lab.js';
import { isPagerEvent, type OutputKind } from '../console/io.js';
import type { AskOptions } from '../console/command.js';
import type { SourceLine } from './parse.js';

/** An `#! answer` value and its runbook line. */
export interface QueuedAnswer {
  text: string;
  line: number;
}

/** An AnswerSource for drive() (`answer`) and the output it follows to place questions (`onOutput`). */
export class DialogAnswers {
  private captured = '';
  private cursor = 0;
  private skipEcho = true;
  /** runbook lines of the `#! answer` directives that answered visible questions (--fill drops them) */
  readonly visibleAnswerLines: number[] = [];
  constructor(
    private expected: SourceLine[],
    private queue: QueuedAnswer[],
    private lab: Lab,
  ) {}

  /** The command's output as drive() keeps it (no pager prompts, no echo of the command line). */
  onOutput = (text: string, kind: OutputKind): void => {
    if (isPagerEvent(kind)) return;
    if (kind === 'echo' && this.skipEcho) {
      this.skipEcho = false;
      return;
    }
    this.captured += text;
  };

  private findLine(q: string): number {
    const k = this.captured.split('\n').length - 1;
    const qt = q.trimEnd();
    const fits = (i: number) => this.expected[i].text.startsWith(q) || this.expected[i].text.trimEnd() === qt || (qt && this.expected[i].text.startsWith(qt));
    if (k >= this.cursor && k < this.expected.length && fits(k)) return k;
    for (let i = this.cursor; i < this.expected.length; i++) if (fits(i)) return i;
    return -1;
  }

  /** The answer to question `q`; undefined when the transcript has none (the dialog is unterminated). */
  answer = (q: string, opts: AskOptions): string | undefined => {
    const idx = this.findLine(q);
    const rest = idx >= 0 ? answerText(this.expected[idx].text, q) : '';
    if (idx >= 0) this.cursor = idx + 1;
    if (opts.hidden) {
      return this.queue.length ? this.queue.shift()!.text : defaultSecret(q, this.lab);
    }
    if (opts.password) {
      if (this.queue.length) return this.queue.shift()!.text;
      if (idx < 0) return undefined;
      const stars = rest.trimEnd();
      const def = defaultSecret(q, this.lab);
      return stars.length === def.length ? def : 'x'.repeat(stars.length);
    }
    if (idx < 0) {
      // a command-only skeleton (--fill) has no output to read the answer from: `#! answer` gives it
      if (!this.queue.length) return undefined;
      const a = this.queue.shift()!;
      this.visibleAnswerLines.push(a.line);
      return a.text;
    }
    return rest;
  };
}

function answerText(line: string, q: string): string {
  if (line.startsWith(q)) return line.slice(q.length);
  const qt = q.trimEnd();
  if (line.trimEnd() === qt) return '';
  return line.slice(qt.length).replace(/^\s/, '');
}

/** Hidden prompts: the CCM Administrator password is the application user's, others the admin's. */
function defaultSecret(q: string, lab: Lab): string {
  const a = lab.state.accounts;
  if (/CCM Administrator/i.test(q)) return a.application.password;
  return a.admin.password;
}
