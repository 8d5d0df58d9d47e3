// Small text helpers shared by the command modules.

/** Lays fields out on 8-column tab stops, as the CLI's tab-separated tables appear on screen. */
export function tabs(...fields: (string | number)[]): string {
  let s = '';
  fields.forEach((f, i) => {
    s += String(f);
    if (i < fields.length - 1) s += ' '.repeat(8 - (s.length % 8));
  });
  return s.trimEnd();
}

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = fmtCache.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        weekday: 'short',
        month: 'short',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
        year: 'numeric',
        timeZoneName: 'short',
      });
    } catch {
      f = formatter('UTC');
    }
    fmtCache.set(tz, f);
  }
  return f;
}

function parts(ms: number, tz: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

/** `Wed Feb 26 10:24:27 PST 2014`, the date style of show itl/ctl and show cert. */
export function cucmDate(ms: number, tz = 'UTC'): string {
  const p = parts(ms, tz);
  return `${p.weekday} ${p.month} ${p.day} ${p.hour}:${p.minute}:${p.second} ${zoneAbbreviation(ms, tz, p.timeZoneName)} ${p.year}`;
}

/** Java prints zone abbreviations (CEST, CET); en-US knows only American ones, en-GB the European. */
function zoneAbbreviation(ms: number, tz: string, usName: string): string {
  if (!/^GMT[+-]/.test(usName)) return usName;
  try {
    const gb = new Intl.DateTimeFormat('en-GB', { timeZone: tz, timeZoneName: 'short' }).formatToParts(new Date(ms)).find((x) => x.type === 'timeZoneName')?.value;
    if (gb && !/^(GMT|UTC)[+-]/.test(gb)) return gb;
  } catch {
    // the en-US name stands
  }
  // Java's form for a zone without an abbreviation: GMT+09:00
  const m = /^GMT([+-])(\d{1,2})(?::(\d\d))?$/.exec(usName);
  return m ? `GMT${m[1]}${m[2].padStart(2, '0')}:${m[3] ?? '00'}` : usName;
}

/** `Mon Jul  1 13:44:09 2019`, ctime style (show network cluster). */
export function ctimeDate(ms: number, tz = 'UTC'): string {
  const p = parts(ms, tz);
  return `${p.weekday} ${p.month} ${String(Number(p.day)).padStart(2, ' ')} ${p.hour}:${p.minute}:${p.second} ${p.year}`;
}

/** `02 Dec,2004 12:00:59`, file list detail style. */
export function fileListDate(ms: number, tz = 'UTC'): string {
  const p = parts(ms, tz);
  return `${p.day} ${p.month},${p.year} ${p.hour}:${p.minute}:${p.second}`;
}

export function hexColon(b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

export function hexSpaced(b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

export function withThousands(n: number): string {
  return n.toLocaleString('en-US');
}
