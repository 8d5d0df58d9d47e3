// CLI errors in a command's output: a runbook may expect them, but never hide them under a wildcard.
// The texts are the ones the consoles print when they refuse or fail (seeds 001/002, commands/).
import { UNSUCCESSFUL } from '../console/command.js';
import type { Op } from './match.js';
import type { SourceLine } from './parse.js';

/** Fixed patterns (never built from runbook text): each names one way a console says no. */
const ERROR_LINES: RegExp[] = [
  // the admin: CLI's answers to what it cannot parse (its line after every failure: UNSUCCESSFUL)
  /^Invalid\b/,
  /^No valid command entered$/,
  // trust files that do not parse or verify (show itl, show ctl)
  /^Error\b/,
  /^Verification of the (ITL|CTL) file failed\.$/,
  // publisher-only commands on a subscriber
  /can be executed only on the publisher node/,
  /can be run on the publisher only/,
  // the certificate hold timer
  /Please re-try regenerating .* certificate at a later time$/,
  // the CTL Client's refusals
  /^The Security Token you have inserted does not exist in the CTL File$/,
  /^No CTL File exists on the server but the Call Manager Cluster Security Mode is in Secure Mode\.$/,
  /\bnot allowed\b/,
  /^Control-C pressed$/,
];

/** Whether an output line is one of the consoles' error or refusal lines. */
export function isErrorLine(line: string): boolean {
  const t = line.trim();
  return t === UNSUCCESSFUL || ERROR_LINES.some((re) => re.test(t));
}

/** `#! expect-error [TEXT]` before a command. */
export interface ExpectError {
  /** text one of the error lines must contain (a plain substring), when given */
  text: string;
  line: number;
}

/** Why a step fails on a CLI error, with the runbook line to point at. */
export interface ErrorProblem {
  line: number;
  /** the error line found in the output ('' when the command printed nothing) */
  errorLine: string;
  message: string;
}

/**
 * The error rule for one command whose output matched its expected text (`ops` is that alignment):
 * an error line must be written out literally in the expected output or expected with
 * `#! expect-error`; a non-zero status with no error line counts its last output line as the error.
 * With `#! expect-error` the command must fail, and its error lines must contain TEXT when given.
 */
export function errorProblem(
  expected: SourceLine[],
  actual: string[],
  ops: Op[],
  status: number,
  commandLine: number,
  expect?: ExpectError,
): ErrorProblem | undefined {
  let errors = actual.map((l, j) => (isErrorLine(l) ? j : -1)).filter((j) => j >= 0);
  if (!errors.length && status !== 0) {
    let last = actual.length - 1;
    while (last >= 0 && !actual[last].trim()) last--;
    if (last >= 0) errors = [last];
  }
  const failed = errors.length > 0 || status !== 0;
  if (expect) {
    if (!failed) {
      return { line: expect.line, errorLine: '', message: `'#! expect-error' (line ${expect.line}) but the command succeeded: no CLI error in its output and status 0` };
    }
    if (expect.text && !errors.some((j) => actual[j].includes(expect.text))) {
      const found = errors.length ? `"${actual[errors[0]].trim()}"` : `status ${status} and no output`;
      return { line: expect.line, errorLine: errors.length ? actual[errors[0]] : '', message: `'#! expect-error ${expect.text}' (line ${expect.line}) but no error line contains that text (found ${found})` };
    }
    return undefined;
  }
  if (!failed) return undefined;
  if (!errors.length) {
    return { line: commandLine, errorLine: '', message: `the command failed (status ${status}) without any output; mark it with '#! expect-error' if that is expected` };
  }
  for (const j of errors) {
    const op = ops.find((o) => (o.op === 'eq' && o.j === j) || (o.op === 'wild' && o.js.includes(j)));
    const i = op && op.op !== 'ins' && op.op !== 'del' ? op.i : -1;
    // an expected line without wildcards spells the error out: the runbook expects it
    if (op?.op === 'eq' && !expected[i].text.includes('{{')) continue;
    const at = i >= 0 ? expected[i].line : commandLine;
    const what = status !== 0 && !isErrorLine(actual[j]) ? `failed (status ${status}) with` : 'printed the CLI error';
    return {
      line: at,
      errorLine: actual[j],
      message: `the command ${what} "${actual[j].trim()}", which only the wildcard '${i >= 0 ? expected[i].text.trim() : ''}' at line ${at} covers; write the line out or mark the command with '#! expect-error'`,
    };
  }
  return undefined;
}
