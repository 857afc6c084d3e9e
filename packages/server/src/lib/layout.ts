/**
 * Herald runs in one of two layouts: its TypeScript sources (src/, through tsx, in a checkout) or the build tsc
 * compiles from them (dist/, plain node, the published package). A module knows which by its own extension, so what
 * it finds beside itself at run time (a worker thread's entry point, the dashboard) comes from the same layout.
 */
export const isCompiled = (moduleUrl: string): boolean => moduleUrl.endsWith('.js');
