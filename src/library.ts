// The library API for test authors: a throw-away lab, sessions on its nodes, lab console calls.
//
//   const lab = await createLab();
//   const { output, status } = await lab.session().run('utils ctl set-cluster mixed-mode', ['y']);
//   await lab.cleanup();
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, NodeState } from '../state/cluster/lab.js';
import { loadTopology, normalizeTopology, Topology } from '../state/cluster/topology.js';
import { Cancelled, TransferClient } from './console/registry.js';
import { CliSession, OutputKind } from './console/core.js';
import { ConsoleLike, DEFAULT_CLOCK, DEFAULT_SEED, RunbookResult, loadLabConsole, runRunbook } from './runbook/runbook.js';
import { localTransfer } from './net/transfer.js';

export interface CreateLabOptions {
  /** key material seed (default 1); `null` for fresh random keys */
  seed?: number | null;
  /** start of the simulated clock (default 2025-01-06T09:00:00Z with a seed); `null` for the real time */
  clock?: string | null;
  /** a topology object (partial is fine: `{ nodes: 1, ctl: 'etoken' }`) or a YAML/JSON file name */
  topology?: Partial<Topology> | Record<string, unknown> | string;
  /** where the lab lives (default: a new temporary directory, removed by cleanup()) */
  dir?: string;
  /** file transfers of file get / utils itl reset remotekey (default: a local directory per host under the lab) */
  transfer?: TransferClient;
}

/**
 * Answers to the questions a command asks: a list used in order, or a map from a piece of the
 * question text to the answer. A missing answer makes run() reject; `'\x03'` answers with Ctrl-C.
 */
export type Answers = string[] | Record<string, string>;

export interface RunOutput {
  /** what the terminal showed after the command line: output, questions and echoed answers */
  output: string;
  /** 0 when the command succeeded, 1 when it printed `Executed command unsuccessfully` or was cancelled */
  status: number;
}

export interface Runner {
  run(command: string, answers?: Answers): Promise<RunOutput>;
}

export interface NodeSession extends Runner {
  readonly node: string;
  /** the session core underneath, for anything the wrapper does not cover */
  readonly cli: CliSession;
}

export interface TestLab {
  readonly lab: Lab;
  /** an admin: session on a node (default: the publisher); one session per node, reused */
  session(node?: string): NodeSession;
  /** the lab console (lab> commands); run() rejects if this build has no lab console */
  console(): Runner;
  /** runs a runbook against this lab (commands and expected output, as `cucm-sim run` does) */
  runbook(file: string, text?: string): Promise<RunbookResult>;
  /** closes the lab and removes its directory when createLab made it */
  cleanup(): Promise<void>;
}

export class UnansweredQuestion extends Error {}

/** Drives one command with scripted answers and collects what the terminal showed. */
async function drive(target: ConsoleLike, command: string, answers: Answers = []): Promise<RunOutput> {
  let output = '';
  let skip = true;
  const list = Array.isArray(answers) ? [...answers] : undefined;
  const map = Array.isArray(answers) ? undefined : Object.entries(answers);
  let unanswered: string | undefined;
  const off = target.on((text: string, kind: OutputKind) => {
    if (kind === 'pager') return;
    if (kind === 'echo' && skip) {
      skip = false;
      return;
    }
    output += text;
  });
  let status: number;
  try {
    const r = await target.run(command, {
      answer: async () => {
        const question = output.slice(output.lastIndexOf('\n') + 1);
        let a: string | undefined;
        if (list) a = list.shift();
        else a = map!.find(([k]) => question.includes(k))?.[1];
        if (a === undefined) {
          unanswered = question;
          throw new Cancelled();
        }
        if (a === '\x03') throw new Cancelled();
        return a;
      },
    });
    status = r.status;
  } finally {
    off();
  }
  if (unanswered !== undefined) throw new UnansweredQuestion(`'${command}' asked "${unanswered.trimEnd()}" and no answer was given`);
  return { output, status };
}

function topologyOf(t: CreateLabOptions['topology']): Topology | undefined {
  if (t === undefined) return undefined;
  if (typeof t === 'string') return loadTopology(t);
  return normalizeTopology(t);
}

/** Creates a lab for a test: deterministic (seed 1, fixed clock) unless told otherwise. */
export async function createLab(opts: CreateLabOptions = {}): Promise<TestLab> {
  const own = !opts.dir;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'cucm-sim-lab-'));
  const seed = opts.seed === null ? undefined : (opts.seed ?? DEFAULT_SEED);
  const clock = opts.clock === null ? undefined : (opts.clock ?? (seed !== undefined ? DEFAULT_CLOCK : undefined));
  let lab: Lab;
  try {
    lab = await Lab.create({ dir, seed, clock, topology: topologyOf(opts.topology) });
  } catch (e) {
    if (own) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const transfer = opts.transfer ?? localTransfer();
  const sessions = new Map<string, NodeSession>();
  let labConsole: ConsoleLike | undefined;
  let closed = false;

  const nodeOf = (name?: string): NodeState => {
    if (!name) return lab.publisher();
    const n = lab.node(name);
    if (!n) throw new Error(`no node '${name}' in this lab (nodes: ${lab.nodes.map((x) => x.name).join(', ')})`);
    return n;
  };

  return {
    lab,
    session(name?: string): NodeSession {
      const node = nodeOf(name);
      let s = sessions.get(node.name);
      if (!s) {
        let cli = new CliSession({ lab, node, transfer });
        const wrapper: NodeSession = {
          node: node.name,
          get cli() {
            return cli;
          },
          async run(command, answers) {
            const r = await drive(cli, command, answers);
            // `exit` ends the session: the next command logs in again
            if (cli.ended) cli = new CliSession({ lab, node: lab.node(node.name) ?? node, transfer });
            return r;
          },
        };
        sessions.set(node.name, wrapper);
        s = wrapper;
      }
      return s;
    },
    console(): Runner {
      return {
        async run(command, answers) {
          if (!labConsole) {
            const make = await loadLabConsole();
            if (!make) throw new Error('lab console not available in this build');
            labConsole = make(lab);
          }
          return drive(labConsole, command, answers);
        },
      };
    },
    runbook(file: string, text?: string) {
      return runRunbook(file, { lab, text });
    },
    async cleanup() {
      if (closed) return;
      closed = true;
      lab.close();
      if (own) rmSync(dir, { recursive: true, force: true });
    },
  };
}
