// The library API for test authors: a throw-away lab, sessions on its nodes, lab console calls.
//
//   const lab = await createLab();
//   const { output, status } = await lab.session().run('utils ctl set-cluster mixed-mode', ['y']);
//   await lab.cleanup();
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab, NodeState } from '../state/cluster/lab.js';
import { newLab } from '../state/labs.js';
import { loadTopology, normalizeTopology, Topology } from '../state/cluster/topology.js';
import type { TransferClient } from './console/command.js';
import { CliSession } from './console/admin-console.js';
import { drive, type Answers, type Console } from './console/drive.js';
import { DEFAULT_CLOCK, DEFAULT_SEED } from './runbook/parse.js';
import { RunbookResult, loadLabConsole, runRunbook } from './runbook/run.js';
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
 * Answers to the questions a command asks: a list used in order, a map from a piece of the question
 * text to the answer, or a function of the question. A missing answer makes run() reject; `'\x03'`
 * answers with Ctrl-C.
 */
export type { Answers };

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

/** Runs one command with scripted answers; a question left unanswered rejects. */
async function runWith(target: Console, command: string, answers: Answers = []): Promise<RunOutput> {
  const r = await drive(target, command, { answers, echo: false });
  if (r.unanswered !== undefined) throw new UnansweredQuestion(`'${command}' asked "${r.unanswered.trimEnd()}" and no answer was given`);
  return { output: r.output, status: r.status };
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
    lab = await newLab({ dir, seed, clock, topology: topologyOf(opts.topology) });
  } catch (e) {
    if (own) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const transfer = opts.transfer ?? localTransfer();
  const sessions = new Map<string, NodeSession>();
  let labConsole: Console | undefined;
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
            const r = await runWith(cli, command, answers);
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
            labConsole = (await loadLabConsole())(lab);
          }
          return runWith(labConsole, command, answers);
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
