// Command figures in process: a session core on the publisher, no terminal, no network.
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../../state/cluster/lab.js';
import { newLab } from '../../state/labs.js';
import { CliSession } from '../../src/console/admin-console.js';
import { LabConsole } from '../../src/console/lab-console.js';
import { fleet } from '../../state/phones/fleet.js';
import { drive } from '../../src/console/drive.js';
import { latency } from '../ssh-harness.js';
import type { Figures } from './figures.js';
import { CLOCK, tempDir, timed } from './measure.js';

/** Runs commands on the publisher with scripted answers; a command that fails throws. */
class Driver {
  readonly session: CliSession;
  constructor(readonly lab: Lab) {
    this.session = new CliSession({ lab, node: lab.publisher() });
  }
  async run(line: string, answers: string[] = []): Promise<void> {
    const r = await drive(this.session, line, { answers });
    if (r.status !== 0) throw new Error(`'${line}' failed in the bench`);
  }
}

type CommandFigures = Pick<
  Figures,
  | 'cmd_show_itl_ms'
  | 'cmd_show_ctl_ms'
  | 'cmd_mixed_mode_ms'
  | 'cmd_itl_reset_ms'
  | 'bytes_written_per_readonly_cmd'
  | 'bytes_written_per_mutation'
  | 'lab_json_bytes_after_1000_resets'
>;

/** Bytes the lab's store has written so far (journal, lab.json, TFTP files), pending writes included. */
function written(lab: Lab): number {
  lab.flush();
  return lab.store.stats().bytes;
}

export async function benchCommands(quick: boolean, notes: string[]): Promise<CommandFigures> {
  const dir = tempDir();
  const lab = await newLab({ dir, seed: 1, clock: CLOCK });
  try {
    const d = new Driver(lab);
    const reps = quick ? 50 : 300;
    const heavy = quick ? 10 : 40;
    await d.run('show itl'); // first parse warms the certificate and module caches
    let b0 = written(lab);
    const itl = await timed(reps, () => d.run('show itl'));
    const readonlyBytes = written(lab) - b0;
    b0 = written(lab);
    const mixed = await timed(
      heavy,
      () => d.run('utils ctl set-cluster mixed-mode', ['y']),
      // each change written on its own, as when a trainee types them seconds apart
      async () => {
        lab.flush();
        await d.run('utils ctl set-cluster non-secure-mode', ['y']);
        lab.flush();
      },
    );
    const mutationBytes = written(lab) - b0;
    await d.run('utils ctl set-cluster mixed-mode', ['y']);
    await d.run('show ctl');
    b0 = written(lab);
    const ctl = await timed(reps, () => d.run('show ctl'));
    const readonlyCtl = written(lab) - b0;
    const pw = lab.state.accounts.application.password;
    const reset = await timed(heavy, () => d.run('utils itl reset localkey', [pw]));
    // 1,000 phone resets through the lab console: a phone log that grows without bound shows in lab.json
    const resets = quick ? 200 : 1000;
    const con = new LabConsole({ lab });
    const perRound = fleet(lab).phones.length;
    for (let done = 0; done < resets; done += perRound) {
      const r = await drive(con, 'phones reset all');
      if (r.status !== 0) throw new Error("'phones reset all' failed in the bench");
    }
    if (quick) notes.push(`lab_json_bytes_after_1000_resets: measured after ${resets} phone resets (--quick)`);
    return {
      cmd_show_itl_ms: latency(itl),
      cmd_show_ctl_ms: latency(ctl),
      cmd_mixed_mode_ms: latency(mixed),
      cmd_itl_reset_ms: latency(reset),
      bytes_written_per_readonly_cmd: Math.round((readonlyBytes + readonlyCtl) / (2 * reps)),
      // each timed step is two changes: mixed mode, then back
      bytes_written_per_mutation: Math.round(mutationBytes / (2 * heavy)),
      lab_json_bytes_after_1000_resets: (lab.flush(), statSync(join(dir, 'lab.json')).size),
    };
  } finally {
    lab.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
