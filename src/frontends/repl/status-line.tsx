// The REPL's status line under the prompt: node, security mode, stopped TFTP, pending restarts.
import React, { useEffect, useState } from 'react';
import { Text } from 'ink';
import { TFTP } from '../../../state/cluster/services.js';
import type { ReplSession } from './session.js';

export function StatusLine({ session }: { session: ReplSession }) {
  // redrawn whenever the lab changes, whoever changed it
  const [, setTick] = useState(0);
  useEffect(() => session.lab.onChange(() => setTick((t) => t + 1)), [session]);
  if (session.statusText) return <Text dimColor>{session.statusText()}</Text>;
  const lab = session.lab;
  const node = session.node;
  const mode = lab.state.params.clusterSecurityMode === 1 ? 'mixed mode' : 'non-secure';
  const pending = lab.pendingRestarts(node);
  const tftp = lab.serviceRunning(node, TFTP) ? '' : ' | Tftp down';
  return (
    <Text dimColor>
      {`[${node.name}${node.publisher ? ' (publisher)' : ''} | ${mode}${tftp}${pending.length ? ` | restart needed: ${pending.join(', ')}` : ''}]`}
    </Text>
  );
}
