// What the REPL drives: the admin: console, or anything with the same interface (the lab console).
import type { ConsoleCore } from '../../console/core.js';

export type ReplSession = Pick<
  ConsoleCore,
  'lab' | 'node' | 'on' | 'emit' | 'banner' | 'showPrompt' | 'run' | 'completion' | 'question' | 'width' | 'height' | 'pace'
> & {
  /** replaces the admin: status line */
  statusText?(): string;
};
