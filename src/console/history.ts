// The command history of one interactive session, walked with the up and down keys.

/** Commands kept; the oldest go first. */
const MAX_ENTRIES = 200;

export class History {
  private entries: string[] = [];
  /** the entry shown, or -1 for the line being typed */
  private pos = -1;

  /** Remembers a command (not blank ones, nor the one just before again) and ends any walk. */
  add(line: string): void {
    if (line.trim() && this.entries[this.entries.length - 1] !== line) {
      this.entries.push(line);
      if (this.entries.length > MAX_ENTRIES) this.entries.shift();
    }
    this.rewind();
  }

  /** Ends a walk through the history: the next older() starts from the newest entry. */
  rewind(): void {
    this.pos = -1;
  }

  /** The entry before the one shown (the oldest stays put); undefined when there is none. */
  older(): string | undefined {
    if (!this.entries.length) return undefined;
    this.pos = this.pos < 0 ? this.entries.length - 1 : Math.max(0, this.pos - 1);
    return this.entries[this.pos];
  }

  /** The entry after the one shown, '' past the newest; undefined when no walk is under way. */
  newer(): string | undefined {
    if (this.pos < 0) return undefined;
    this.pos = this.pos + 1 >= this.entries.length ? -1 : this.pos + 1;
    return this.pos < 0 ? '' : this.entries[this.pos];
  }
}
