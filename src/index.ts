// Library entry point: `import { createLab } from 'cucm-sim'`.
export { Lab } from '../state/lab.js';
export { CliSession } from './session.js';
