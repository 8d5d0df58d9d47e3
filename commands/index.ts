// Every command family of the admin: CLI. A command's module is named after its first words.
import { CommandModule, Registry } from '../src/engine.js';
import show from './show.js';
import file from './file.js';
import utilsService from './utils_service.js';
import cliSession from './cli_session.js';

export const MODULES: CommandModule[] = [show, file, utilsService, cliSession];

let cached: Registry | undefined;
export function defaultRegistry(): Registry {
  return (cached ??= new Registry(MODULES));
}
