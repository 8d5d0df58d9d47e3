// File-spec wildcards (`*` any run, `?` one character) matched without regular expressions: the
// two-pointer scan below runs in O(name × pattern) at worst, whatever the pattern holds.

/** True when `name` matches the whole of `pattern`; every other character stands for itself. */
export function globMatch(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  // where the last `*` was seen, and the name position it currently stands in for
  let star = -1;
  let mark = 0;
  while (n < name.length) {
    const c = pattern[p];
    if (p < pattern.length && (c === '?' || c === name[n])) {
      p++;
      n++;
    } else if (c === '*') {
      // runs of stars are one star
      while (pattern[p] === '*') p++;
      star = p;
      mark = n;
    } else if (star >= 0) {
      // the last star swallows one more character; earlier stars never need revisiting
      p = star;
      n = ++mark;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** The names matching a file spec, in their original order. */
export function globFilter(names: readonly string[], pattern: string): string[] {
  return names.filter((n) => globMatch(pattern, n));
}
