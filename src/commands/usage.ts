/** A bad option or argument given to a command: the CLI reports it and exits with 2 (not 1, a failure). */
export class UsageError extends Error {
  override name = "UsageError";
}
