// Every command family of the admin: CLI. A command's module is named after its first words.
import type { CommandModule } from '../../src/console/command.js';
import { Registry } from '../../src/console/registry.js';
import show from './show.js';
import showCert from './show_cert.js';
import file from './file.js';
import utilsService from './utils_service.js';
import cliSession from './cli_session.js';
import utilsCtl from './utils_ctl.js';
import utilsItl from './utils_itl.js';
import setCert from './set_cert.js';
import runSql from './run_sql.js';
import showStatus from './show_status.js';
import showNetwork from './show_network.js';
import utilsNetwork from './utils_network.js';
import fileLogs from './file_logs.js';

export const MODULES: CommandModule[] = [show, showCert, showStatus, showNetwork, file, fileLogs, utilsService, utilsNetwork, utilsCtl, utilsItl, setCert, runSql, cliSession];

let cached: Registry | undefined;
export function defaultRegistry(): Registry {
  return (cached ??= new Registry(MODULES));
}
