// `cucm-sim help [command]`, `cucm-sim <command> --help` and `--version`: each subcommand's own page,
// its options taken from the one table in args.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../state/paths.js';
import { FLAGS, type Sub, SUBS } from './args.js';

interface Page {
  /** one line in the list of commands */
  summary: string;
  usage: string[];
  about: string;
  examples: Array<[string, string]>;
}

const PAGES: Record<Sub, Page> = {
  session: {
    summary: 'the admin: command line of a node (this page)',
    usage: ['cucm-sim [options]'],
    about:
      'The admin: command line of a node of the lab (the publisher unless --node says otherwise): a REPL on a terminal (F2 switches between admin: and the lab console of the same lab), script mode when stdin is not one (each line is a command or the answer to the pending question; exit status 1 if any command failed). The default lab is made on first use.',
    examples: [
      ['cucm-sim', 'log in to the publisher of the default lab'],
      ['cucm-sim --lab class1 --node cucm-sub1', 'a subscriber of the lab class1'],
      ["printf 'show itl\\n' | cucm-sim --seed 1", 'one command in script mode, reproducible output'],
      ['cucm-sim --record demo.cast < steps.txt', 'record a session as asciicast'],
    ],
  },
  serve: {
    summary: 'SSH and TFTP endpoints for every node of a lab',
    usage: ['cucm-sim serve [options]'],
    about:
      'SSH and TFTP endpoints for every node of the lab until Ctrl-C (SIGINT or SIGTERM). Prints a ready-to-paste ssh line per node, the lab console login and its password file, and the TFTP endpoints.',
    examples: [
      ['cucm-sim serve', 'SSH from port 2222, TFTP from 6969, on 127.0.0.1'],
      ['cucm-sim serve --lab class1 --port 3022 --allow-exec', 'another lab and port; ssh host \'show itl\' works'],
      ['cucm-sim serve --host 0.0.0.0 --lab-password S3cret-pw', 'a classroom (strong passwords needed)'],
    ],
  },
  lab: {
    summary: 'create and list labs; the lab console (phones, clock, power, DRS)',
    usage: [
      'cucm-sim lab create NAME [--seed N] [--nodes N|pub,sub1,...] [--topology FILE] [--version V]',
      'cucm-sim lab list',
      'cucm-sim lab [COMMAND...] [options]',
    ],
    about:
      'Labs and the lab console (lab>: phones, clock, power, parameters, DRS). `create` makes a lab (only the default lab is made on first use), `list` shows the labs with their nodes, seed and creation time; with console words it runs that one command, alone it opens the lab console (REPL on a terminal, script mode otherwise).',
    examples: [
      ['cucm-sim lab create class1 --seed 3 --nodes 2', 'a reproducible two-node lab'],
      ['cucm-sim lab create branch --topology branch.yaml', 'a cluster from a topology file'],
      ['cucm-sim lab list', 'the labs of the data folder'],
      ['cucm-sim lab --lab class1 phones list', 'one lab console command'],
      ['cucm-sim lab reset-lab --force', 'rebuild the default lab, even a damaged one'],
    ],
  },
  run: {
    summary: 'run runbooks against fresh labs (PASS/FAIL, diffs, JUnit)',
    usage: ['cucm-sim run FILE... [options]'],
    about:
      'Runs runbooks (transcripts with admin: and lab> lines) against a fresh lab each (or the --lab named), prints PASS/FAIL per runbook with a diff per mismatch, and exits 1 on any failure.',
    examples: [
      ['cucm-sim run scripts/runbooks/*.txt', 'every example runbook'],
      ['cucm-sim run procedure.txt --update', 'rewrite the expected output'],
      ['cucm-sim run procedure.txt --junit results.xml --record procedure.cast', 'results for CI and a recording'],
    ],
  },
  exercise: {
    summary: 'exercises: list, start, check, hint, status, reset',
    usage: ['cucm-sim exercise list | start ID | check | hint | status | reset [options]'],
    about:
      'Exercises on a lab: `start` builds the lab (--lab, default default) in the exercise\'s starting state and prints the briefing; `check` exits 0 only when the exercise is passed.',
    examples: [
      ['cucm-sim exercise list', 'id, minutes, CUCM version, title'],
      ['cucm-sim exercise start a-regen-callmanager --lab t1', 'build the starting state'],
      ['cucm-sim exercise check --lab t1 --json', 'the results as one JSON line'],
    ],
  },
  class: {
    summary: "a served class's gradebook, archive and restore",
    usage: ['cucm-sim class report DIR', 'cucm-sim class archive DIR FILE', 'cucm-sim class restore FILE DIR [--max-restore-bytes N]'],
    about:
      'The folder of a class served with `serve --class FILE` or `--trainees N`: `report` writes the gradebook (CSV and JSON) and every trainee\'s session transcripts (.txt and .cast) into DIR/report; `archive` packs the folder into one file and `restore` unpacks one into a new folder. Stop `serve` first: a served class is locked.',
    examples: [
      ['cucm-sim serve --trainees 12 --dashboard', 'a class of twelve, with the instructor dashboard on 127.0.0.1:8080'],
      ['cucm-sim class report ~/.local/share/cucm-sim/classes/class', 'the gradebook and transcripts'],
      ['cucm-sim class archive classes/monday monday.bundle.gz', 'keep a class folder'],
    ],
  },
};

const WIDTH = 80;
const COL = 28;

/** Words of `text` in lines of at most `width` columns, each indented by `indent`. */
function wrap(text: string, indent: number, width = WIDTH): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (line && indent + line.length + 1 + w.length > width) {
      out.push(' '.repeat(indent) + line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(' '.repeat(indent) + line);
  return out;
}

/** Two columns: the left one padded to COL, the right one wrapped under itself. */
function twoColumns(left: string, right: string): string[] {
  const body = wrap(right, COL);
  if (left.length + 2 > COL) return [left, ...body];
  return [left.padEnd(COL) + body[0].slice(COL), ...body.slice(1)];
}

function optionLines(sub: Sub): string[] {
  return FLAGS.filter((f) => f.subs.includes(sub)).flatMap((f) => {
    const name = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.arg ? ' ' + f.arg : ''}`;
    return twoColumns(`  ${name}`, f.help);
  });
}

const EXIT = 'Exit status: 0 success, 1 a command, runbook or check failed, 2 a usage error or a lab that cannot be used, 70 an internal error.';

/** The help of one subcommand: usage, what it does, its options, examples. */
export function subHelp(sub: Sub): string {
  const p = PAGES[sub];
  const lines = [
    ...p.usage.map((u, i) => (i === 0 ? `Usage: ${u}` : `       ${u}`)),
    '',
    ...wrap(p.about, 0),
    '',
    'Options:',
    ...optionLines(sub),
    '',
    'Examples:',
    ...p.examples.flatMap(([cmd, what]) => twoColumns(`  ${cmd}`, what)),
    '',
    ...wrap(EXIT, 0),
  ];
  if (sub === 'session') lines.push('', "Other commands: serve, lab, run, exercise ('cucm-sim help COMMAND' for each).");
  return lines.join('\n') + '\n';
}

/** `cucm-sim help` and `cucm-sim --help`: every command in one line, then the local session's page. */
export function overview(): string {
  const list = SUBS.filter((s) => s !== 'session').flatMap((s) => twoColumns(`  ${s}`, PAGES[s].summary));
  return [
    'cucm-sim: an emulator of the Cisco CUCM OS-admin command line (admin:).',
    '',
    'Commands:',
    ...twoColumns('  (none)', PAGES.session.summary),
    ...list,
    ...twoColumns('  help [COMMAND]', 'this help, or the help of one command (also: cucm-sim COMMAND --help)'),
    '',
    subHelp('session'),
  ].join('\n');
}

/** `cucm-sim <version>` from package.json. */
export function versionLine(): string {
  const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
  return `cucm-sim ${pkg.version}\n`;
}
