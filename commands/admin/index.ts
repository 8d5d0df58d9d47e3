// Every command family of the admin: CLI. A command's module is named after its first words.
import type { CommandModule } from '../../src/console/command.js';
import { Registry } from '../../src/console/registry.js';
import { profileOf } from '../../state/cluster/profile.js';
import show from './show.js';
import showCert from './show_cert.js';
import file from './file.js';
import utilsService from './utils_service.js';
import cliSession from './cli_session.js';
import utilsCtl, { utilsCtlReset } from './utils_ctl.js';
import utilsItl from './utils_itl.js';
import setCert, { setCertModule } from './set_cert.js';
import runSql from './run_sql.js';
import showStatus from './show_status.js';
import showHardware from './show_hardware.js';
import showNetwork from './show_network.js';
import utilsNetwork from './utils_network.js';
import fileLogs from './file_logs.js';

export const MODULES: CommandModule[] = [show, showCert, showStatus, showHardware, showNetwork, file, fileLogs, utilsService, utilsNetwork, utilsCtl, utilsItl, setCert, runSql, cliSession];

/** Commands that exist from a release on (the tree of `?` and Tab shows them only there). */
export const LATER_MODULES: CommandModule[] = [utilsCtlReset];

const cached = new Map<string, Registry>();
/** The admin: commands of the lab's release (the 10.5 set without a lab). */
export function defaultRegistry(lab?: Parameters<typeof profileOf>[0]): Registry {
  const p = lab ? profileOf(lab) : undefined;
  const key = p?.id ?? '';
  let r = cached.get(key);
  if (!r) {
    let modules = MODULES;
    if (p) modules = modules.map((m) => (m === setCert ? setCertModule(p.units) : m));
    if (p?.ctlResetLocalkey) modules = [...modules, ...LATER_MODULES];
    cached.set(key, (r = new Registry(modules)));
  }
  return r;
}
