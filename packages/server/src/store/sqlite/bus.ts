import type { Bus } from '../slices/bus.ts';

/** The process that opened a SQLite database is the only one using it: there is no one to tell or hear from. */
export const sqliteBus: Bus = {
  async subscribe() {},
  async broadcast() {},
};
