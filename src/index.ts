// Library entry point: `import { createLab } from 'cucm-sim'`.
export { PackageLab as Lab } from '../state/labs.js';
export { CliSession } from './console/admin-console.js';
export { createLab, UnansweredQuestion } from './library.js';
export type { CreateLabOptions, TestLab, NodeSession, Runner, RunOutput, Answers } from './library.js';
export { parseRunbook, RunbookError } from './runbook/parse.js';
export { runRunbook } from './runbook/run.js';
export type { RunbookResult, RunOptions } from './runbook/run.js';
export { Recorder, recordSession } from './recording/recorder.js';
export { Redactor, parseRedactSpec } from './recording/redact.js';
export { terminalText } from './recording/terminal-text.js';
export type { RecordOptions } from './recording/recorder.js';
export type { RedactOptions } from './recording/redact.js';
