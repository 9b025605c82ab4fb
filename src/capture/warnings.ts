/**
 * Warnings that are counted, not repeated: the same condition on a million packets is one line
 * ("… (1000000 times)"). Keyed by a stable key; the first message for a key is kept.
 */
export class WarningList {
  private readonly entries = new Map<string, { message: string; count: number }>();

  add(key: string, message: string): void {
    const e = this.entries.get(key);
    if (e) e.count++;
    else this.entries.set(key, { message, count: 1 });
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** One line per condition, in first-seen order. */
  lines(): string[] {
    const out: string[] = [];
    for (const { message, count } of this.entries.values()) {
      out.push(count > 1 ? `${message} (${count} times)` : message);
    }
    return out;
  }
}
