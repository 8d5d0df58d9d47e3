// The local interactive front end: an Ink REPL over a console.
// Finished lines go to <Static> scrollback; the live area holds the current prompt line and a status line.
import React from 'react';
import { Box, Static, Text, render } from 'ink';
import { InputLine } from './input-line.js';
import type { ReplSession } from './session.js';
import { StatusLine } from './status-line.js';
import { useConsole } from './use-console.js';
import { useScrollback } from './use-scrollback.js';

function Repl({ session, onExit }: { session: ReplSession; onExit: () => void }) {
  // listening to the output first, so the banner the console prints on start is not missed
  const { items, partial } = useScrollback(session);
  const editor = useConsole(session, onExit);
  return (
    <>
      <Static items={items}>{(it) => <Text key={it.id}>{it.text || ' '}</Text>}</Static>
      <Box flexDirection="column">
        <InputLine partial={partial} editor={editor} />
        <StatusLine session={session} />
      </Box>
    </>
  );
}

export async function runRepl(session: ReplSession): Promise<void> {
  await new Promise<void>((resolve) => {
    const app = render(<Repl session={session} onExit={() => resolve()} />, { exitOnCtrlC: false });
    app.waitUntilExit().then(() => resolve());
  });
}
