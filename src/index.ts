// Library entry point: `import { createLab } from 'cucm-sim'`.
export { Lab } from '../state/lab.js';
export { CliSession } from './session.js';
export { createLab, UnansweredQuestion } from './library.js';
export type { CreateLabOptions, TestLab, NodeSession, Runner, RunOutput, Answers } from './library.js';
export { runRunbook, parseRunbook, RunbookError } from './runbook.js';
export type { RunbookResult, RunOptions } from './runbook.js';
export { Recorder, Redactor, parseRedactSpec, recordSession, terminalText } from './transcript.js';
export type { RecordOptions, RedactOptions } from './transcript.js';
