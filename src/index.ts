// Library entry point: `import { createLab } from 'cucm-sim'`.
export { Lab } from '../state/cluster/lab.js';
export { CliSession } from './console/core.js';
export { createLab, UnansweredQuestion } from './library.js';
export type { CreateLabOptions, TestLab, NodeSession, Runner, RunOutput, Answers } from './library.js';
export { runRunbook, parseRunbook, RunbookError } from './runbook/runbook.js';
export type { RunbookResult, RunOptions } from './runbook/runbook.js';
export { Recorder, Redactor, parseRedactSpec, recordSession, terminalText } from './recording/transcript.js';
export type { RecordOptions, RedactOptions } from './recording/transcript.js';
