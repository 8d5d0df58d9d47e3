import { it } from 'vitest';
import { seededLab, transcript, cleanup } from './helpers.js';
it('smoke', async () => {
  const lab = await seededLab();
  const r = await transcript(lab, [
    "run sql select paramname,paramvalue from processconfig where paramname='ClusterSecurityMode'",
    'utils ctl set-cluster mixed-mode', 'show ctl', 'set cert regen CallManager', 'set cert regen TVS', 'utils itl reset localkey', 'run sql delete from device', 'set cert regen foo',
  ], { answers: ['y', 'yes', 'cisco123'] });
  console.log(r.text.replace(/\n(9|12)\s+(CERTIFICATE|SIGNATURE).*\n/g, '\n'));
  console.log(r.statuses);
  const r2 = await transcript(lab, ['utils ctl update CTLFile', 'utils itl reset localkey', 'file get tftp ITLRecovery.p12', 'file delete tftp CTLFile.tlv'], { node: 'cucm-sub1', answers: ['y'] });
  console.log(r2.text, r2.statuses);
  cleanup(lab);
});
