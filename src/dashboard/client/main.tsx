// The dashboard page: reads the boot data the server wrote into the page and renders the overview
// or a trainee's detail. Bundled by esbuild into dist/dashboard/app.js at build time.
import { createRoot } from 'react-dom/client';
import type { BootData } from '../protocol.js';
import { App } from './app.js';

const bootEl = document.getElementById('boot');
const boot = JSON.parse(bootEl?.textContent ?? '{}') as BootData;
const root = document.getElementById('root');
if (root) createRoot(root).render(<App boot={boot} />);
