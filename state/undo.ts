// Undo for a plain-data object graph that other code holds references into: a snapshot records
// every object's own fields, and restoring writes them back into the same objects. Whoever kept a
// node or service object before a failed change keeps a live object after it.

type Plain = Record<string, unknown>;

export type Snapshot = Map<object, unknown[] | Plain>;

function isPlain(v: unknown): v is object {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Records the fields of `root` and of every plain object and array reachable from it. */
export function snapshot(root: object): Snapshot {
  const seen: Snapshot = new Map();
  const stack: object[] = [root];
  while (stack.length) {
    const o = stack.pop()!;
    if (seen.has(o)) continue;
    const copy = Array.isArray(o) ? o.slice() : { ...(o as Plain) };
    seen.set(o, copy);
    for (const v of Array.isArray(copy) ? copy : Object.values(copy)) if (isPlain(v) && !seen.has(v)) stack.push(v);
  }
  return seen;
}

/** Puts every recorded object back as it was, in place. */
export function restore(snap: Snapshot): void {
  for (const [obj, copy] of snap) {
    if (Array.isArray(obj)) {
      const c = copy as unknown[];
      obj.length = c.length;
      for (let i = 0; i < c.length; i++) obj[i] = c[i];
    } else {
      const o = obj as Plain;
      const c = copy as Plain;
      for (const k of Object.keys(o)) if (!Object.prototype.hasOwnProperty.call(c, k)) delete o[k];
      Object.assign(o, c);
    }
  }
}
