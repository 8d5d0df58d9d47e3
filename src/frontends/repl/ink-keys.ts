// Ink's key events as line editor keys: the keys the REPL understands.
import type { Key as InkKey } from 'ink';
import type { Key } from '../../console/line-editor.js';

export function editorKeys(input: string, key: InkKey): Key[] {
  if (key.ctrl && input === 'c') return [{ key: 'ctrl-c' }];
  if (key.ctrl && input === 'd') return [{ key: 'ctrl-d' }];
  if (key.return) return [{ key: 'enter' }];
  if (key.tab) return [{ key: 'tab' }];
  if (key.upArrow) return [{ key: 'up' }];
  if (key.downArrow) return [{ key: 'down' }];
  if (key.leftArrow) return [{ key: 'left' }];
  if (key.rightArrow) return [{ key: 'right' }];
  // most terminals send DEL for Backspace, which Ink reports as delete
  if (key.backspace || key.delete) return [{ key: 'backspace' }];
  if (key.ctrl && input === 'a') return [{ key: 'home' }];
  if (key.ctrl && input === 'e') return [{ key: 'end' }];
  if (key.ctrl && input === 'u') return [{ key: 'ctrl-u' }];
  if (!input || key.ctrl || key.meta || key.escape) return [];
  // Keys may arrive several to a chunk (fast typing, paste): printable runs are split per character
  // so that Tab, '?' and Enter inside a chunk still act.
  return [...input].flatMap((ch): Key[] => {
    if (ch === '\r' || ch === '\n') return [{ key: 'enter' }];
    if (ch === '\t') return [{ key: 'tab' }];
    return /[\x00-\x1f\x7f]/.test(ch) ? [] : [{ ch }];
  });
}
