import { it, expect } from 'vitest';
import { seededLab, transcript, cleanup } from './helpers.js';
it('smoke', async () => {
  const t0 = Date.now();
  const lab = await seededLab();
  console.log('create ms', Date.now() - t0);
  const r = await transcript(lab, ['show itl', 'show ctl', 'utils service list', 'file list tftp * detail', 'show network cluster', 'show myself', 'show cert list own', 'foo', 'utils ctl', 'show', 'file list tftp', 'help show itl', 'show cert own CallManager/CallManager.pem']);
  console.log(r.text);
  console.log(r.statuses);
  cleanup(lab);
});
