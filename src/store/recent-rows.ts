/**
 * The rows a connection wrote or read last, as they are stored: a turn reads back the conversation the
 * previous turn of the same chat wrote, and finds it here instead of in SQLite's B-tree. Only what this
 * connection committed goes in; everything is forgotten as soon as another connection has committed to the
 * file (`PRAGMA data_version` moved: another process, a CLI command), so no row is ever staler than the file.
 * At most `max` rows, the least recently used dropped first.
 */
export class RecentRows {
  private readonly rows = new Map<string, string>();
  private version: number;

  constructor(
    /** `PRAGMA data_version` of the connection: it moves when another connection commits. */
    private readonly dataVersion: () => number,
    private readonly max = 1000,
  ) {
    this.version = dataVersion();
  }

  get(key: string): string | undefined {
    const version = this.dataVersion();
    if (version !== this.version) {
      this.rows.clear();
      this.version = version;
      return undefined;
    }
    const row = this.rows.get(key);
    if (row !== undefined) {
      this.rows.delete(key);
      this.rows.set(key, row);
    }
    return row;
  }

  /** After the commit that wrote `row` (or a read of it). */
  set(key: string, row: string): void {
    this.rows.delete(key);
    this.rows.set(key, row);
    if (this.rows.size > this.max) {
      const oldest = this.rows.keys().next();
      if (!oldest.done) this.rows.delete(oldest.value);
    }
  }

  clear(): void {
    this.rows.clear();
  }
}
