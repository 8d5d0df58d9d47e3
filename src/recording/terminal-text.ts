// What a terminal shows for raw output: ANSI sequences stripped, line edits (CR, backspace, cursor
// moves, erase-in-line) applied.

// CSI, OSC (BEL or ST terminated) and two-byte escape sequences
const ANSI = /\x1b\[[0-9;?<>=!]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

const LINE_TOKEN = /\x1b\[([0-9;?<>=!]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\r|\x08|\x07|[^\x1b\r\x08\x07]+/g;

/**
 * What one line of terminal output leaves on the screen: carriage returns, backspaces, cursor moves
 * and erase-in-line are applied (a line editor's redraws, a pager prompt wiped with CR + erase),
 * other escape sequences dropped.
 */
export function renderLine(raw: string): string {
  if (!/[\x1b\r\x08\x07]/.test(raw)) return raw;
  let cells: string[] = [];
  let col = 0;
  for (const m of raw.matchAll(LINE_TOKEN)) {
    const tok = m[0];
    if (m[2] !== undefined) {
      const n = Number(m[1]) || 0;
      switch (m[2]) {
        case 'K':
          if (n === 0) cells.length = Math.min(cells.length, col);
          else if (n === 1) for (let i = 0; i <= col && i < cells.length; i++) cells[i] = ' ';
          else cells = [];
          break;
        case 'D':
          col = Math.max(0, col - (n || 1));
          break;
        case 'C':
          col += n || 1;
          break;
        case 'G':
          col = Math.max(0, (n || 1) - 1);
          break;
        case 'P':
          cells.splice(col, n || 1);
          break;
        case '@':
          if (col < cells.length) cells.splice(col, 0, ...Array<string>(n || 1).fill(' '));
          break;
      }
    } else if (tok === '\r') col = 0;
    else if (tok === '\x08') col = Math.max(0, col - 1);
    else if (tok[0] === '\x1b' || tok === '\x07') continue;
    else
      for (const ch of tok) {
        cells[col] = ch;
        col++;
      }
  }
  return Array.from(cells, (c) => c ?? ' ').join('');
}

/** The plain text a terminal shows for raw output bytes (SSH stream, `script` log): ANSI stripped. */
export function terminalText(raw: string): string {
  return raw
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map(renderLine)
    .join('\n');
}
