// The local interactive front end: an Ink REPL over a console (and, behind F2, the other console
// of the same lab). Finished output lines go to the terminal as they are, above Ink's live area,
// so the terminal wraps them and rewraps them when it is resized; the live area holds the
// current prompt line and the status line.
import React, { useEffect, useReducer, useState } from 'react';
import { Box, render, useApp, useStdin, useStdout } from 'ink';
import { CliSession } from '../../console/admin-console.js';
import { LabConsole } from '../../console/lab-console.js';
import { ReplController, type ReplHooks } from './controller.js';
import { InputLine } from './input-line.js';
import type { ReplSession } from './session.js';
import { StatusLine } from './status-line.js';

function Repl({ sessions, hooks, onExit }: { sessions: ReplSession[]; hooks: ReplHooks; onExit: () => void }) {
  const { exit } = useApp();
  const { stdout, write } = useStdout();
  const { setRawMode, internal_eventEmitter: input } = useStdin();
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const [done, setDone] = useState(false);
  const [repl] = useState(
    () =>
      new ReplController(sessions, {
        write,
        redraw,
        bell: () => stdout.write('\x07'),
        exit: () => setDone(true),
        columns: () => stdout.columns || 80,
        rows: () => stdout.rows || 24,
      }, hooks),
  );

  useEffect(() => {
    setRawMode(true);
    const onInput = (data: string) => repl.input(data);
    const onResize = () => repl.resize();
    input.on('input', onInput);
    stdout.on('resize', onResize);
    void repl.start();
    return () => {
      input.off('input', onInput);
      stdout.off('resize', onResize);
      setRawMode(false);
      repl.close();
    };
  }, [repl]);

  // the live area is gone before Ink leaves: nothing of it (no prompt) stays under the last output
  useEffect(() => {
    if (!done) return;
    onExit();
    exit();
  }, [done]);
  if (done) return null;

  return (
    <Box flexDirection="column">
      <InputLine partial={repl.partial} editor={repl.editor} columns={stdout.columns || 80} />
      <StatusLine session={repl.session} canSwitch={repl.canSwitch} columns={stdout.columns || 80} />
    </Box>
  );
}

/** The other console of the same lab, reached with F2: the lab console from admin:, the publisher's admin: from lab>. */
function companion(session: ReplSession): ReplSession | undefined {
  const common = { lab: session.lab, width: session.width, height: session.height, pace: session.pace };
  if (session instanceof CliSession) return new LabConsole(common);
  if (session instanceof LabConsole) return new CliSession({ ...common, node: session.lab.publisher() });
  return undefined;
}

/**
 * Runs the REPL on `session` and its companion console. `opened` is told of the companion (the
 * caller's recorder listens to both, so what is typed behind F2 is recorded as well).
 */
export async function runRepl(session: ReplSession, opts: ReplHooks & { opened?: (companion: ReplSession) => void } = {}): Promise<void> {
  const other = companion(session);
  if (other) opts.opened?.(other);
  const sessions = other ? [session, other] : [session];
  await new Promise<void>((resolve) => {
    const app = render(<Repl sessions={sessions} hooks={opts} onExit={() => resolve()} />, { exitOnCtrlC: false, patchConsole: false });
    app.waitUntilExit().then(() => resolve());
  });
}
