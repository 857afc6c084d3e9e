/** JSON in and out of columns, the same in both dialects. */

/** The text for a nullable JSON column: null and undefined alike are SQL NULL. */
export const jsonOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

/** A nullable JSON column read back as text (SQLite's JSON columns are text). */
export const parseJsonOrNull = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

/** A JSON column that comes back as text in one dialect (SQLite) and already parsed in the other (jsonb). */
export const parsedJson = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;
