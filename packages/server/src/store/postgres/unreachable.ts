/**
 * PostgreSQL could not be reached, or refused the connection (a wrong password, a missing database). The CLI says it
 * in one line and exits 1, so a supervisor (systemd, a container's restart policy, compose waiting for its database)
 * retries, and the log says what to fix rather than a driver's stack.
 */
export class DatabaseUnreachableError extends Error {
  override name = 'DatabaseUnreachableError';
}

/** The error for a failed first connection to `url`, naming the server and database but never the password. */
export function unreachable(url: string, err: unknown): DatabaseUnreachableError {
  let where = 'HERALD_DATABASE_URL';
  try {
    const parsed = new URL(url);
    where = `${parsed.host || 'the local socket'}${parsed.pathname}`;
  } catch {
    // An unparsable URL is named by its setting only: it may hold a password.
  }
  const reason = err instanceof Error ? err.message : String(err);
  return new DatabaseUnreachableError(`cannot connect to PostgreSQL at ${where}: ${reason} (is it running, and is HERALD_DATABASE_URL right?)`, { cause: err });
}
