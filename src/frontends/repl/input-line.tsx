// The REPL's live line: the unfinished output line (prompt or question) with the line being typed
// and its cursor, or the pager prompt while the pager waits for a key. A line wider than the
// terminal is cut into rows of exactly its width, as the terminal itself would wrap it.
import React from 'react';
import { Box, Text } from 'ink';
import type { LineEditor } from '../../console/line-editor.js';
import { PAGER_TEXT } from '../../console/pager.js';

export function InputLine({ partial, editor, columns }: { partial: string; editor: LineEditor; columns: number }) {
  if (editor.mode === 'pager') return <Text bold>{PAGER_TEXT}</Text>;
  // nothing is typed while a command runs, except the answer to its question
  const showInput = editor.mode !== 'busy';
  const { text, cursor } = editor.view();
  const line = partial + (showInput ? text : '');
  const at = showInput ? partial.length + cursor : -1;
  // the cursor past the end of the line takes a cell of its own
  const cells = at === line.length ? line + ' ' : line;
  const w = Math.max(1, columns);
  const rows: string[] = [];
  for (let i = 0; i < cells.length; i += w) rows.push(cells.slice(i, i + w));
  return (
    <Box flexDirection="column">
      {rows.map((row, i) => {
        const c = at - i * w;
        if (c < 0 || c >= row.length) return <Text key={i} wrap="truncate">{row}</Text>;
        return (
          <Text key={i} wrap="truncate">
            {row.slice(0, c)}
            <Text inverse>{row[c]}</Text>
            {row.slice(c + 1)}
          </Text>
        );
      })}
    </Box>
  );
}
