// The REPL's live line: the unfinished output line (prompt or question) with the line being typed
// and its cursor, or the pager prompt while the pager waits for a key.
import React from 'react';
import { Text } from 'ink';
import type { LineEditor } from '../../console/line-editor.js';
import { PAGER_TEXT } from '../../console/pager.js';

export function InputLine({ partial, editor }: { partial: string; editor: LineEditor }) {
  if (editor.mode === 'pager') return <Text bold>{PAGER_TEXT}</Text>;
  // nothing is typed while a command runs, except the answer to its question
  const showInput = editor.mode !== 'busy';
  const { text, cursor } = editor.view();
  return (
    <Text>
      {partial}
      {showInput ? text.slice(0, cursor) : ''}
      {showInput ? <Text inverse>{text[cursor] ?? ' '}</Text> : ''}
      {showInput ? text.slice(cursor + 1) : ''}
    </Text>
  );
}
