import { HeraldError } from '../../lib/errors.ts';

/** A dialect's test of whether an error says a write broke a uniqueness rule (a unique index or a primary key). */
export type UniqueViolationTest = (err: unknown) => boolean;

/**
 * Runs a write and turns a uniqueness failure into the API's 409 ("<what> already exists"); any other error goes
 * through as it was. The write may be synchronous (SQLite, inside the write queue) or return a promise (PostgreSQL).
 */
export function conflictOnUnique<T>(isUniqueViolation: UniqueViolationTest, what: string, write: () => T): T {
  const rethrow = (err: unknown): never => {
    if (isUniqueViolation(err)) throw HeraldError.conflict(`${what} already exists`);
    throw err;
  };
  let result: T;
  try {
    result = write();
  } catch (err) {
    return rethrow(err);
  }
  return result instanceof Promise ? (result.catch(rethrow) as T) : result;
}
