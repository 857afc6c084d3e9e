/**
 * Herald's API on the wire: the TypeBox schemas the server validates requests with and documents (OpenAPI), the
 * types the server, the CLI and the dashboard share (`Static` of each schema), and the table of routes the clients
 * call by. `@herald/wire/routes` and `@herald/wire/listen-name` load without TypeBox, for clients that need only the
 * route table's values (the CLI starts faster without it).
 */
export * from './common.ts';
export * from './errors.ts';
export * from './applications.ts';
export * from './event-types.ts';
export * from './endpoint-filter.ts';
export * from './endpoints.ts';
export * from './endpoint-auth.ts';
export * from './transformations.ts';
export * from './destinations.ts';
export * from './messages.ts';
export * from './attempts.ts';
export * from './tasks.ts';
export * from './tokens.ts';
export * from './audit.ts';
export * from './sources.ts';
export * from './stats.ts';
export * from './health.ts';
export * from './live.ts';
export * from './listen-name.ts';
export * from './routes.ts';
