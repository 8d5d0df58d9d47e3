// The REPL's status line under the prompt: the console in front, the security mode, every node's
// state, pending restarts, and the F2 hint. Always one row: cut to the terminal's width.
import React, { useEffect, useState } from 'react';
import { Text } from 'ink';
import { TFTP } from '../../../state/cluster/services.js';
import type { ReplSession } from './session.js';

/** The status text, cut to `columns` cells so that it never wraps. */
export function statusText(session: ReplSession, canSwitch: boolean, columns: number): string {
  const lab = session.lab;
  const nodes = lab.nodes
    .map((n) => `${n.name} ${!n.up ? 'down' : n.tftp && !lab.serviceRunning(n, TFTP) ? 'up, Tftp stopped' : 'up'}`)
    .join(', ');
  let parts: string[];
  if (session.statusText) parts = [session.statusText().replace(/^\[|\]$/g, ''), nodes];
  else {
    const node = session.node;
    const mode = lab.state.params.clusterSecurityMode === 1 ? 'mixed mode' : 'non-secure';
    const pending = lab.pendingRestarts(node);
    parts = [`${node.name}${node.publisher ? ' (publisher)' : ''}`, mode, nodes];
    if (pending.length) parts.push(`restart needed: ${pending.join(', ')}`);
  }
  if (canSwitch) parts.push(session.statusText ? 'F2: admin:' : 'F2: lab console');
  const text = `[${parts.join(' | ')}]`;
  // the last column stays free: some terminals wrap a row that reaches it
  const room = Math.max(1, columns - 1);
  return text.length <= room ? text : text.slice(0, room - 1) + '…';
}

export function StatusLine({ session, canSwitch, columns }: { session: ReplSession; canSwitch: boolean; columns: number }) {
  // redrawn whenever the lab changes, whoever changed it
  const [, setTick] = useState(0);
  useEffect(() => session.lab.onChange(() => setTick((t) => t + 1)), [session]);
  return (
    <Text dimColor wrap="truncate">
      {statusText(session, canSwitch, columns)}
    </Text>
  );
}
