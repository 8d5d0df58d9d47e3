// The command model: what a command module declares, and the context a command runs with
// (output, questions, transfers, the command tree as help commands see it).
import type { Lab, NodeState } from '../../state/cluster/lab.js';

export interface Param {
  name: string;
  required: boolean;
  help: string;
  /** fixed choices (matched case-sensitively, as CUCM does for certificate units) */
  values?: string[] | ((ctx: CompletionContext) => string[]);
  /** takes the rest of the line verbatim (service names with spaces, SQL) */
  rest?: boolean;
  /** refuse values outside `values` (otherwise they only feed Tab completion) */
  strict?: boolean;
}

export interface CommandSpec {
  path: string[];
  summary: string;
  params?: Param[];
  /** overrides the generated syntax line */
  syntax?: string;
  example?: string[];
  /** runs only on the publisher; the text is what a subscriber answers */
  publisherOnly?: string;
  run(ctx: CommandContext, args: Record<string, string>): Promise<number | void> | number | void;
}

export interface MenuSpec {
  path: string[];
  summary: string;
}

export interface CommandModule {
  commands: CommandSpec[];
  menus?: MenuSpec[];
}

export interface CompletionContext {
  lab: Lab;
  node: NodeState;
}

export interface AskOptions {
  /** echo typed characters as '*' */
  password?: boolean;
  /** echo nothing at all (the CCM Administrator and SFTP password prompts of utils itl reset) */
  hidden?: boolean;
}

export interface TransferClient {
  /** Uploads bytes to a remote SFTP server (file get); a stand-in that writes on this machine returns the absolute path. */
  put(target: SftpTarget, remotePath: string, data: Buffer, ctx: CommandContext): Promise<string | void>;
  /** Downloads a remote file (utils itl reset remotekey). */
  get(target: SftpTarget, remotePath: string, ctx: CommandContext): Promise<Buffer>;
  /** Confirms the server's host key (yes/no) before the transfer starts, as CUCM asks. */
  checkHost?(target: Pick<SftpTarget, 'host' | 'port'>, ctx: CommandContext): Promise<void>;
}

export interface SftpTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export class TransferError extends Error {}

export interface SessionInfo {
  user: string;
  commandCount: number;
  width: number;
  height?: number;
  /** automatic pagination of this session (`set cli pagination`); every session starts with it on */
  pagination: boolean;
}

/** A word of the command tree: a menu, a command, or both. */
export interface TreeNode {
  word: string;
  summary: string;
  children: Map<string, TreeNode>; // key: lower-case word
  command?: CommandSpec;
}

export type Resolution =
  | { kind: 'command'; spec: CommandSpec; args: Record<string, string>; consumed: number }
  | { kind: 'incomplete'; node: TreeNode; path: string[] }
  | { kind: 'unknown'; word: string; path: string[] }
  | { kind: 'ambiguous'; word: string; candidates: string[]; path: string[] }
  | { kind: 'badparam'; spec: CommandSpec; message: string }
  | { kind: 'empty' };

/** The command tree as the help commands use it (the Registry is the one implementation). */
export interface CommandTree {
  allCommands(): CommandSpec[];
  resolve(line: string, cctx?: CompletionContext): Resolution;
  syntaxLine(spec: CommandSpec): string;
  syntaxHelp(spec: CommandSpec): string[];
  detailedHelp(spec: CommandSpec): string[];
  listing(entries: TreeNode[], width?: number): string[];
}

export interface CommandContext {
  lab: Lab;
  node: NodeState;
  session: SessionInfo;
  /** Writes text; a trailing newline is not added. */
  write(text: string): void;
  /** Writes lines, each followed by a newline. */
  out(...lines: string[]): void;
  /** Asks a question; the answer is what the user typed (without newline). Rejects with Cancelled on Ctrl-C. */
  ask(prompt: string, opts?: AskOptions): Promise<string>;
  /** Prints the lines and `Executed command unsuccessfully`; returns the failure status. */
  fail(...lines: string[]): number;
  /**
   * Takes the time the operation takes on a real system: waits it out with `--pace realistic`, and
   * in every pace moves the lab's clock by it (a change of its own: call it outside mutate()).
   */
  sleep(ms: number): Promise<void>;
  /**
   * The time a read-only command takes: shows the output so far and waits with `--pace realistic`,
   * but leaves the lab's clock alone, so the command changes (and writes) nothing.
   */
  wait(ms: number): Promise<void>;
  pace: 'fast' | 'realistic';
  transfer: TransferClient;
  /** All commands that change the cluster run through this, one at a time per lab. */
  mutate<T>(fn: () => Promise<T> | T): Promise<T>;
  /** ends the session (quit/exit) */
  endSession(): void;
  registry: CommandTree;
}

export class Cancelled extends Error {
  /** endOfInput: the user ended the session at a question (Ctrl-D), not Ctrl-C */
  constructor(readonly endOfInput = false) {
    super(endOfInput ? 'end of input' : 'Control-C pressed');
  }
}

export const UNSUCCESSFUL = 'Executed command unsuccessfully';
