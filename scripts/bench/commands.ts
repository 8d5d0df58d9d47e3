// Command figures in process: a session core on the publisher, no terminal, no network.
import { rmSync } from 'node:fs';
import type { Lab } from '../../state/cluster/lab.js';
import { newLab } from '../../state/labs.js';
import { CliSession } from '../../src/console/admin-console.js';
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

export async function benchCommands(quick: boolean): Promise<Pick<Figures, 'cmd_show_itl_ms' | 'cmd_show_ctl_ms' | 'cmd_mixed_mode_ms' | 'cmd_itl_reset_ms'>> {
  const dir = tempDir();
  const lab = await newLab({ dir, seed: 1, clock: CLOCK });
  try {
    const d = new Driver(lab);
    const reps = quick ? 50 : 300;
    const heavy = quick ? 10 : 40;
    await d.run('show itl'); // first parse warms the certificate and module caches
    const itl = await timed(reps, () => d.run('show itl'));
    const mixed = await timed(
      heavy,
      () => d.run('utils ctl set-cluster mixed-mode', ['y']),
      () => d.run('utils ctl set-cluster non-secure-mode', ['y']),
    );
    await d.run('utils ctl set-cluster mixed-mode', ['y']);
    await d.run('show ctl');
    const ctl = await timed(reps, () => d.run('show ctl'));
    const reset = await timed(heavy, () => d.run('utils itl reset localkey', [lab.state.accounts.application.password]));
    return { cmd_show_itl_ms: latency(itl), cmd_show_ctl_ms: latency(ctl), cmd_mixed_mode_ms: latency(mixed), cmd_itl_reset_ms: latency(reset) };
  } finally {
    lab.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
