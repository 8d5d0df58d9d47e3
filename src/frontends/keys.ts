// Terminal input bytes to the line editor's keys, for both front ends: control characters, and
// CSI/SS3 escape sequences (arrows, Home/End/Delete) reassembled when they arrive split across
// packets. A pasted chunk becomes every key in it, in order.
import { StringDecoder } from 'node:string_decoder';
import type { Key, KeyName } from '../console/line-editor.js';

const CONTROL: Record<string, KeyName> = {
  '\t': 'tab',
  '\x7f': 'backspace',
  '\b': 'backspace',
  '\x01': 'home',
  '\x05': 'end',
  '\x02': 'left',
  '\x06': 'right',
  '\x10': 'up',
  '\x0e': 'down',
  '\x03': 'ctrl-c',
  '\x04': 'ctrl-d',
  '\x15': 'ctrl-u',
  '\x0b': 'ctrl-k',
  '\x17': 'ctrl-w',
};

// Q is F2 (xterm and tmux send ESC O Q; rxvt ESC [ 12 ~)
const FINAL: Record<string, KeyName> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', Q: 'f2' };
const TILDE: Record<string, KeyName> = { '1': 'home', '7': 'home', '4': 'end', '8': 'end', '3': 'delete', '12': 'f2' };

// CSI (arrows, Home/End/Delete), SS3 (application-mode arrows), OSC strings (titles), ESC + key
const ESC_SEQ = /^\x1b(?:\[([0-9;?]*)[\x20-\x2f]*([\x40-\x7e])|O([\x20-\x7e])|\][^\x07\x1b]{0,256}(?:\x07|\x1b\\)|[\x20-\x7e])/;
const ESC_PARTIAL = /^\x1b(?:\[[0-9;?]*[\x20-\x2f]*|O|\][^\x07\x1b]*\x1b?)?$/;

/** Turns terminal input bytes into keys. Escape sequences split across packets are reassembled. */
export class KeyDecoder {
  private utf8 = new StringDecoder('utf8');
  private held = '';
  private lastCR = false;

  feed(data: Buffer | string): Key[] {
    const s = this.held + (typeof data === 'string' ? data : this.utf8.write(data));
    this.held = '';
    const keys: Key[] = [];
    for (let i = 0; i < s.length; ) {
      const c = s[i];
      if (c === '\x1b') {
        if (s.length - i < 300 && ESC_PARTIAL.test(s.slice(i))) {
          this.held = s.slice(i); // the rest of the sequence is in the next packet
          break;
        }
        const m = ESC_SEQ.exec(s.slice(i, i + 300));
        if (m) {
          const name = m[2] === '~' ? TILDE[(m[1] ?? '').split(';')[0]] : FINAL[m[2] ?? m[3] ?? ''];
          if (name) keys.push({ key: name });
          i += m[0].length;
        } else i++; // a malformed sequence: drop the ESC, the rest is ordinary input
        this.lastCR = false;
        continue;
      }
      i++;
      // CR LF from clients that send both is one Enter
      if (c === '\n' && this.lastCR) {
        this.lastCR = false;
        continue;
      }
      this.lastCR = c === '\r';
      if (c === '\r' || c === '\n') keys.push({ key: 'enter' });
      else if (CONTROL[c]) keys.push({ key: CONTROL[c] });
      else if (printable(c)) keys.push({ ch: c });
    }
    return keys;
  }
}

function printable(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code <= 0x9f)) return false;
  // lone surrogates and the replacement character only come from garbage bytes
  return !(code >= 0xd800 && code <= 0xdfff) && code !== 0xfffd;
}
