// Exercises: data files validated with errors naming file and field, starting states built through
// the consoles and the same on every run, goals and constraints checked on the lab and its event
// log, results kept in the lab, and runbooks that assert a result.
import { describe, it, expect, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchPerTest } from './helpers.js';
import { requireDist } from './prerequisites.js';
import { labRun } from './phone-helpers.js';
import { Lab } from '../state/cluster/lab.js';
import { exerciseFiles, findExercise, loadExerciseFile } from '../state/exercises/loader.js';
import { ExerciseError, type ExerciseRecord } from '../state/exercises/model.js';
import { stableFingerprint } from '../state/exercises/setup.js';
import { evaluateExercise } from '../state/exercises/results.js';
import { KINDS } from '../state/exercises/checks.js';
import { createExerciseLab } from '../src/runbook/exercise.js';
import { runRunbook } from '../src/runbook/run.js';
import { CliSession } from '../src/console/admin-console.js';
import { parseCommon } from '../src/cli/args.js';
import { exerciseMain } from '../src/cli/exercise.js';

vi.setConfig({ testTimeout: 60000 });

const ROOT = join(import.meta.dirname, '..');
const EXERCISES = join(ROOT, 'scripts', 'exercises');
const A = 'a-regen-callmanager';
const BIN = join(ROOT, 'bin', 'cucm-sim.js');

const { tmp, labs } = scratchPerTest('cucm-sim-exercise-');
function sink() {
  let text = '';
  return { write: (s: string) => ((text += s), true), get text() { return text; } };
}
async function cli(dataDir: string, ...argv: string[]) {
  const { flags, positionals } = parseCommon(['--data-dir', dataDir, ...argv]);
  const out = sink();
  const err = sink();
  const status = await exerciseMain(flags, positionals.slice(1), out, err);
  return { status, out: out.text, err: err.text };
}
function labJson(dataDir: string, name: string) {
  return JSON.parse(readFileSync(join(dataDir, 'labs', name, 'lab.json'), 'utf8')) as { exercise?: ExerciseRecord };
}

const VALID = `id: demo
title: A demo
version: 10.5.1.10000-7
minutes: 5
briefing: Something to do.
topology: { nodes: 1 }
setup:
  - lab: phones reset all
goals:
  - check: phones-locked-count
    count: 0
    hint: Look at the phones.
`;

function writeExercise(name: string, text: string): string {
  const d = tmp();
  const f = join(d, name);
  writeFileSync(f, text);
  return f;
}
function loadError(text: string, name = 'demo.yaml'): string {
  const f = writeExercise(name, text);
  try {
    loadExerciseFile(f);
  } catch (e) {
    expect(e).toBeInstanceOf(ExerciseError);
    return (e as Error).message.replace(f, 'FILE');
  }
  throw new Error('the file loaded');
}

describe('exercise data files', () => {
  it('a valid file loads with defaults for name, seed and clock', () => {
    const def = loadExerciseFile(writeExercise('demo.yaml', VALID));
    expect(def.id).toBe('demo');
    expect(def.seed).toBe(1);
    expect(def.clock).toBe('2025-01-06T09:00:00Z');
    expect(def.setup).toEqual([{ console: 'lab', command: 'phones reset all', answers: [] }]);
    expect(def.goals[0]).toEqual({ check: 'phones-locked-count', name: 'No phone is locked', hint: 'Look at the phones.', params: { count: 0 } });
  });

  it('errors name the file and the field', () => {
    expect(loadError(VALID.replace('title: A demo\n', ''))).toBe('FILE: title: is required');
    expect(loadError(VALID.replace('count: 0', 'count: none'))).toBe('FILE: goals[0].count: must be a whole number (0 or more)');
    expect(loadError(VALID.replace('count: 0', 'count: 0\n    hnit: x'))).toBe(
      'FILE: goals[0].hnit: unknown field (known: check, name, hint, count, phones)',
    );
    expect(loadError(VALID.replace('check: phones-locked-count', 'check: phones-happy'))).toMatch(/^FILE: goals\[0\]\.check: unknown check 'phones-happy' \(known: phones-trust-current-itl, /);
    expect(loadError(VALID.replace('    hint: Look at the phones.\n', ''))).toBe('FILE: goals[0].hint: is required');
    expect(loadError(VALID.replace('  - lab: phones reset all', '  - lab: phones reset all\n  - "phone> reset"'))).toBe(
      "FILE: setup[1]: 'phone> reset' does not start with 'lab>', 'admin:' or 'admin@NODE:'",
    );
    expect(loadError(VALID.replace('  - lab: phones reset all', '  - root: reboot'))).toBe("FILE: setup[0].root: 'root' is not a console: use 'lab', 'admin' or 'admin@NODE'");
    expect(loadError(VALID.replace('minutes: 5', 'minutes: 0'))).toBe('FILE: minutes: must be a whole number of minutes, 1 to 240');
    expect(loadError(VALID.replace('version: 10.5.1.10000-7', 'version: ten'))).toBe("FILE: version: 'ten' is not a CUCM version such as 10.5.1.10000-7");
    expect(loadError(VALID.replace('setup:', 'setpu:'))).toBe(
      'FILE: setpu: unknown field (known: id, title, version, minutes, briefing, topology, seed, clock, node, setup, goals, constraints)',
    );
    expect(loadError(VALID, 'other.yaml')).toBe("FILE: id: 'demo' differs from the file name 'other'");
    expect(loadError(VALID.replace('topology: { nodes: 1 }', 'topology: { nodes: 1, name: x }'))).toBe('FILE: topology.name: is the lab name: leave it out');
    expect(loadError(VALID.replace('    count: 0', '    count: 0\n    phones: [a, b]'))).toBe('FILE: goals[0].phones: must be text');
    expect(loadError(VALID + 'constraints:\n  - check: cluster-mode\n    mode: secure\n')).toBe("FILE: constraints[0].mode: must be one of mixed, non-secure (got 'secure')");
    expect(loadError('id: demo\n  title: [\n')).toMatch(/^FILE:\d+: not valid YAML: /);
    expect(loadError(VALID.replace('topology: { nodes: 1 }', 'topology: { nodes: 9 }'))).toBe('FILE: topology: a cluster has 1 to 8 nodes (got 9)');
    expect(loadError('- a list\n')).toBe('FILE: (top level): expected a mapping of fields (id, title, ...)');
    expect(loadError(VALID.replace('minutes: 5', 'minutes: 5\nnode: "cucm pub"'))).toBe("FILE: node: 'cucm pub' is not a node name");
    expect(loadError(VALID + '  - check: phones-trust-state\n    state: happy\n    hint: h\n')).toBe(
      "FILE: goals[1].state: must be one of trusted, any-signer, locked, non-secure (got 'happy')",
    );
  });

  it("a check's parameters never take the fields every item has; param's is 'parameter'", () => {
    for (const [kind, def] of Object.entries(KINDS)) for (const k of ['check', 'name', 'hint']) expect(Object.keys(def.params), kind).not.toContain(k);
    const text = VALID + '  - check: param\n    parameter: rollback-to-pre-8.0\n    value: true\n    name: Ready for the rollback\n    hint: h\n';
    expect(loadExerciseFile(writeExercise('demo.yaml', text)).goals[1]).toEqual({
      check: 'param',
      name: 'Ready for the rollback',
      hint: 'h',
      params: { parameter: 'rollback-to-pre-8.0', value: true },
    });
    expect(loadError(VALID + '  - check: param\n    name: rollback-to-pre-8.0\n    value: true\n    hint: h\n')).toBe("FILE: goals[1].parameter: is required by 'param'");
  });

  it('an unknown id lists the ones there are; the command line reports errors without a stack trace', async () => {
    expect(() => findExercise('nope', [EXERCISES])).toThrow(/^no exercise 'nope' \(available: a-regen-callmanager/);
    requireDist();
    const bad = writeExercise('demo.yaml', VALID.replace('count: 0', 'count: -1'));
    const r = spawnSync('node', [BIN, 'exercise', 'start', bad, '--data-dir', tmp()], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`cucm-sim: ${bad}: goals[0].count: must be a whole number (0 or more)\n`);
  });

  it('names the setup step that fails or leaves a question unanswered, and the lab is not kept', async () => {
    const unanswered = writeExercise('demo.yaml', VALID.replace('  - lab: phones reset all', '  - admin: set cert regen CallManager'));
    const d1 = join(tmp(), 'lab');
    await expect(createExerciseLab(loadExerciseFile(unanswered), d1, { name: 'x' })).rejects.toThrow(
      `${unanswered}: setup[0] 'admin: set cert regen CallManager' asked "Proceed with regeneration (yes|no)?" and has no answer left for it (add it to answers)`,
    );
    expect(existsSync(d1)).toBe(false);
    const failing = writeExercise('demo.yaml', VALID.replace('  - lab: phones reset all', '  - lab: clock advance never'));
    await expect(createExerciseLab(loadExerciseFile(failing), join(tmp(), 'lab'), { name: 'x' })).rejects.toThrow(
      `${failing}: setup[0] 'lab> clock advance never' failed: 'never' is not a duration (examples: 6m, 90s, 1h30m, 2d, 300).`,
    );
    const startNode = writeExercise('demo.yaml', VALID.replace('minutes: 5', 'minutes: 5\nnode: cucm-sub1'));
    await expect(createExerciseLab(loadExerciseFile(startNode), join(tmp(), 'lab'), { name: 'x' })).rejects.toThrow(`${startNode}: node: no node 'cucm-sub1' in the lab (nodes: cucm-pub)`);
    const recovery = writeExercise('demo.yaml', VALID.replace('nodes: 1', 'nodes: 2') + '  - check: itl-lists-cert\n    node: cucm-sub1\n    unit: ITLRecovery\n    hint: h\n');
    await expect(createExerciseLab(loadExerciseFile(recovery), join(tmp(), 'lab'), { name: 'x' })).rejects.toThrow(
      `${recovery}: goals[1].node: the ITLRecovery certificate the trust lists carry is the publisher's (cucm-pub)`,
    );
    const noNode = writeExercise('demo.yaml', VALID + '  - check: node-power\n    node: cucm-sub9\n    state: on\n    hint: h\n');
    await expect(createExerciseLab(loadExerciseFile(noNode), join(tmp(), 'lab'), { name: 'x' })).rejects.toThrow(
      `${noNode}: goals[1].node: no node 'cucm-sub9' in the lab (nodes: cucm-pub)`,
    );
  });

  it('every exercise in scripts/exercises loads, and its solution passes while the wrong solution fails', async () => {
    const files = exerciseFiles(EXERCISES);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const def = loadExerciseFile(f);
      for (const [kind, expected] of [
        ['solution', 'pass'],
        ['wrong', 'fail'],
      ] as const) {
        const rb = join(EXERCISES, `${def.id}.${kind}.txt`);
        expect(existsSync(rb), `${rb} is missing`).toBe(true);
        const r = await runRunbook(rb, { expectExercise: expected });
        expect({ file: rb, error: r.error?.message, mismatches: r.mismatches.map((m) => m.diff), exercise: r.exercise?.actual }).toEqual({
          file: rb,
          error: undefined,
          mismatches: [],
          exercise: expected,
        });
      }
    }
  });
});

describe('starting an exercise', () => {
  it('gives the same starting state on every run for the same seed and clock', async () => {
    const [d1, d2, d3, d4] = [tmp(), tmp(), tmp(), tmp()];
    expect((await cli(d1, 'exercise', 'start', A, '--lab', 'class')).status).toBe(0);
    expect((await cli(d2, 'exercise', 'start', A, '--lab', 'class')).status).toBe(0);
    for (const d of [d3, d4]) expect((await cli(d, 'exercise', 'start', A, '--lab', 'class', '--seed', '7', '--clock', '2025-03-02T10:00:00Z')).status).toBe(0);
    const [x1, x2, x3, x4] = [d1, d2, d3, d4].map((d) => labJson(d, 'class').exercise!);
    expect(x1.startFingerprint).toMatch(/^[0-9a-f]{40}$/);
    expect(x2.startFingerprint).toBe(x1.startFingerprint);
    expect(x4.startFingerprint).toBe(x3.startFingerprint);
    expect(x3.startFingerprint).not.toBe(x1.startFingerprint);
    expect(x3).toMatchObject({ seed: 7, clock: '2025-03-02T10:00:00Z' });
    // and the lab as opened again still has that state
    const lab = Lab.open(join(d2, 'labs', 'class'));
    labs.push(lab);
    expect(stableFingerprint(lab)).toBe(x1.startFingerprint);
    expect(lab.publisher().certs.CallManager.certPem).not.toBe(undefined);
    expect(x1.attempt).toBe(1);
    expect(x1.events).toEqual([]);
  });

  it('refuses a lab that exists unless --force; reset starts a new attempt and keeps the results', async () => {
    const d = tmp();
    const first = await cli(d, 'exercise', 'start', A, '--lab', 'c1');
    expect(first.out).toContain(`Exercise ${A} started on lab 'c1' (attempt 1).`);
    expect(first.out).toContain('check your work:          cucm-sim exercise check --lab c1');
    await expect(cli(d, 'exercise', 'start', A, '--lab', 'c1')).rejects.toThrow(
      `the lab 'c1' runs exercise ${A} already: 'cucm-sim exercise reset --lab c1' starts it again, --lab picks another lab, --force replaces it (its results are lost)`,
    );
    const check = await cli(d, 'exercise', 'check', '--lab', 'c1');
    expect(check.status).toBe(1);
    expect(check.out).toContain('Result: not passed yet');
    // a file left on the local SFTP folder by this attempt is gone after the reset
    mkdirSync(join(d, 'labs', 'c1', 'sftp', 'local'), { recursive: true });
    writeFileSync(join(d, 'labs', 'c1', 'sftp', 'local', 'x'), 'x');
    const reset = await cli(d, 'exercise', 'reset', '--lab', 'c1');
    expect(reset.out).toContain('(attempt 2).');
    expect(existsSync(join(d, 'labs', 'c1', 'sftp'))).toBe(false);
    const x = labJson(d, 'c1').exercise!;
    expect(x.attempt).toBe(2);
    expect(x.checks).toBe(0);
    expect(x.history).toHaveLength(1);
    expect(x.history[0]).toMatchObject({ attempt: 1, checks: 1, lastCheck: { passed: false, score: 67 } });

    await expect(cli(d, 'exercise', 'check', '--lab', 'none')).rejects.toThrow(`no lab 'none' (start an exercise with 'cucm-sim exercise start ID --lab none')`);
    await expect(cli(d, 'exercise', 'frobnicate')).rejects.toThrow(/^unknown exercise subcommand 'frobnicate'/);
  });

  it('an existing lab without an exercise is rebuilt only with --force', async () => {
    const d = tmp();
    const plain = await createExerciseLab(loadExerciseFile(writeExercise('demo.yaml', VALID)), join(d, 'labs', 'p'), { name: 'p' });
    await plain.mutate(() => delete plain.state.exercise);
    plain.close();
    await expect(cli(d, 'exercise', 'start', A, '--lab', 'p')).rejects.toThrow(
      "the lab 'p' exists: --lab picks another (new) lab, --force rebuilds this one for the exercise (its state is lost)",
    );
    expect((await cli(d, 'exercise', 'start', A, '--lab', 'p', '--force')).status).toBe(0);
    expect(labJson(d, 'p').exercise).toMatchObject({ id: A, attempt: 1 });
  });
});

describe('checking an exercise', () => {
  async function startA(): Promise<Lab> {
    const lab = await createExerciseLab(findExercise(A, [EXERCISES]), join(tmp(), 'lab'), { name: 'class' });
    labs.push(lab);
    return lab;
  }
  const admin = async (lab: Lab, line: string, answers: string[] = []) => {
    const { drive } = await import('../src/console/drive.js');
    return drive(new CliSession({ lab, node: lab.publisher() }), line, { answers });
  };

  it('shows each goal, the hint for the first one not met, a score and the time, and keeps the result', async () => {
    const lab = await startA();
    const r = await labRun(lab, ['exercise check']);
    expect(r.text).toContain(
      [
        `Exercise ${A}: A new CallManager certificate the phones have not picked up (attempt 1)`,
        "  not yet  cucm-pub's TFTP serves an ITL signed by the new CallManager certificate",
        '  passed   Every SBD phone trusts the ITL its TFTP server serves',
        '  passed   No phone is locked',
        'Constraints:',
        '  kept     No trust list erased by hand on a phone',
        'Hint: A regenerated certificate is written at once, but a running service keeps what it loaded when it started.',
        'Score: 67% (2 of 3 goals met)',
      ].join('\n'),
    );
    await admin(lab, 'utils service restart Cisco Tftp');
    await labRun(lab, ['phones reset all']);
    const after = await labRun(lab, ['exercise check', 'exercise hint']);
    expect(after.text).toContain('  not yet  Every SBD phone trusts the ITL its TFTP server serves (11 of 11 SBD phones not yet)\n');
    expect(after.text).toContain('  not yet  No phone is locked (11 phones locked)\n');
    expect(after.text).toContain('Hint: Phones only fetch a new ITL when they restart');
    expect(after.text).toContain('Score: 33% (1 of 3 goals met)\n');
    expect(after.text).toMatch(/Time used: 0m 0\ds on the lab clock, \dm \d\ds real time\nResult: not passed yet\n/);
    expect(after.text).toContain('Goal: Every SBD phone trusts the ITL its TFTP server serves\nHint: ');
    const x = lab.state.exercise!;
    expect(x.checks).toBe(2);
    expect(x.hintsUsed).toBe(1);
    expect(after.text).toContain("  passed   cucm-pub's TFTP serves an ITL signed by the new CallManager certificate\n");
    expect(x.lastCheck).toMatchObject({ passed: false, score: 33, broken: [] });
    expect(x.tallies.starts).toEqual({ 'cucm-pub/Cisco Tftp': 1 });
    expect(x.tallies.commands).toMatchObject({ 'admin:utils service restart': 1, 'lab:phones reset': 1, 'lab:exercise check': 2 });
    expect(x.events.slice(1, 3)).toEqual([
      // the restart took its time on the lab clock
      { at: x.startedAt + 2500, kind: 'service-start', node: 'cucm-pub', service: 'Cisco Tftp' },
      { at: x.startedAt + 2500, kind: 'command', console: 'admin', node: 'cucm-pub', line: 'utils service restart Cisco Tftp', command: 'utils service restart', status: 0 },
    ]);
  });

  it('a broken constraint fails the attempt whatever the goals say', async () => {
    const lab = await startA();
    await admin(lab, 'utils service restart Cisco Tftp');
    // abbreviated words count as the command they resolve to
    await labRun(lab, ['phones delete-itl all']);
    const r = evaluateExercise(lab, lab.state.exercise!);
    expect(r.goals.map((g) => g.ok)).toEqual([true, true, true]);
    expect(r.failed).toBe(true);
    expect(r.passed).toBe(false);
    expect(r.score).toBe(0);
    const out = (await labRun(lab, ['exercise check'])).text;
    expect(out).toContain('  BROKEN   No trust list erased by hand on a phone (12 phones visited)\n');
    expect(out).toContain('Result: FAILED (a constraint was broken; exercise reset starts a new attempt)');
    expect(out).not.toContain('Hint:');
  });

  it('counts the Tftp restart utils itl reset makes, and regenerations against the start', async () => {
    const lab = await startA();
    const def = findExercise(A, [EXERCISES]);
    const x = lab.state.exercise!;
    x.goals = [
      ...def.goals,
      { check: 'service-restarts-at-most', name: 'tftp at most once', params: { service: 'cisco tftp', node: 'cucm-pub', count: 1 } },
      { check: 'cert-regenerated', name: 'TVS regenerated', params: { node: 'cucm-pub', unit: 'TVS' } },
      { check: 'no-command', name: 'no itl reset', params: { command: 'utils itl reset' } },
    ];
    const names = () => evaluateExercise(lab, x).goals.filter((g) => !g.ok).map((g) => g.spec.name);
    expect(names()).toEqual(["cucm-pub's TFTP serves an ITL signed by the new CallManager certificate", 'TVS regenerated']);
    await admin(lab, 'utils itl reset localkey', ['cisco123']);
    await admin(lab, 'utils service restart Cisco Tftp');
    expect(x.tallies.starts['cucm-pub/Cisco Tftp']).toBe(2);
    // the phones have not reset: they still hold the ITL Tftp served before
    expect(names()).toEqual(['Every SBD phone trusts the ITL its TFTP server serves', 'tftp at most once', 'TVS regenerated', 'no itl reset']);
    await admin(lab, 'set cert regen TVS', ['yes']);
    expect(names()).toEqual(['Every SBD phone trusts the ITL its TFTP server serves', 'tftp at most once', 'no itl reset']);
  });

  it('the admin: login banner names the running exercise in one line; without one it is unchanged', async () => {
    const lab = await startA();
    const banner = new CliSession({ lab, node: lab.publisher() }).bannerLines();
    expect(banner.filter((l) => l.includes('exercise'))).toEqual([
      `Lab exercise ${A} is running: check it with 'exercise check' at lab> (cucm-sim lab --lab class exercise check).`,
    ]);
    // an exercise worked from another node says so on the other nodes
    lab.state.exercise!.node = 'cucm-pub';
    expect(new CliSession({ lab, node: lab.publisher() }).bannerLines().filter((l) => l.includes('exercise'))).toHaveLength(1);
    lab.state.exercise!.node = 'cucm-sub1';
    expect(new CliSession({ lab, node: lab.publisher() }).bannerLines().filter((l) => l.includes('exercise'))).toEqual([
      `Lab exercise ${A} is running: check it with 'exercise check' at lab> (cucm-sim lab --lab class exercise check).`,
      'The exercise is worked from the admin CLI of cucm-sub1 (cucm-sim --lab class --node cucm-sub1).',
    ]);
    await lab.mutate(() => delete lab.state.exercise);
    expect(new CliSession({ lab, node: lab.publisher() }).bannerLines().some((l) => l.includes('exercise'))).toBe(false);
    const none = await labRun(lab, ['exercise status']);
    expect(none.text).toContain("This lab runs no exercise. Start one with 'cucm-sim exercise start ID --lab NAME'");
    expect(none.statuses).toEqual([1]);
  });
});

describe('runbooks and exercises', () => {
  it(`exercise ${A} passes with its solution and fails with the wrong one`, async () => {
    const good = await runRunbook(join(EXERCISES, `${A}.solution.txt`), { expectExercise: 'pass' });
    expect(good.error).toBeUndefined();
    expect(good.passed).toBe(true);
    expect(good.exercise).toMatchObject({ id: A, actual: 'pass', score: 100 });
    const wrong = await runRunbook(join(EXERCISES, `${A}.wrong.txt`), { expectExercise: 'fail' });
    expect(wrong.passed).toBe(true);
    expect(wrong.exercise).toMatchObject({ actual: 'fail', score: 33, notMet: ['Every SBD phone trusts the ITL its TFTP server serves', 'No phone is locked'] });
    const claimed = await runRunbook(join(EXERCISES, `${A}.wrong.txt`), { expectExercise: 'pass' });
    expect(claimed.passed).toBe(false);
    expect(claimed.mismatches).toEqual([]);
  });

  it('refuses #! exercise beside the directives that build a lab, an unknown id, and --expect-exercise without an exercise', async () => {
    const mixed = await runRunbook('x.txt', { text: `#! seed 2\n#! exercise ${A}\nlab>clock show\n` });
    expect(mixed.error?.message).toBe("x.txt:2: '#! exercise' cannot be combined with '#! seed', '#! clock' or '#! topology' (the exercise builds the lab)");
    const unknown = await runRunbook(join(tmp(), 'x.txt'), { text: '#! exercise no-such-thing\nlab>clock show\n' });
    expect(unknown.error?.message).toMatch(/x\.txt:1: '#! exercise': no exercise 'no-such-thing' \(available: a-regen-callmanager/);
    expect(() => parseCommon(['run', '--expect-exercise', 'maybe', 'x.txt'])).toThrow("--expect-exercise is pass or fail (got 'maybe')");
    const plain = await runRunbook('y.txt', { text: 'lab>clock advance 1m\n{{*}}\n', expectExercise: 'pass' });
    expect(plain.error?.message).toBe("y.txt:1: --expect-exercise: the lab runs no exercise (start the runbook with '#! exercise ID')");
  });
});
