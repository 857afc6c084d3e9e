/**
 * Header names are kept as the user spelled them, but are one header whatever their case: a change to "x-token"
 * replaces "X-Token" (taking the new spelling), and null or a name in `removed` deletes it in any spelling. Used for
 * an endpoint's PATCH of its headers, and when a forwarded request's headers get the destination's custom ones over
 * them (a custom "X-Env" replaces a forwarded "x-env" rather than both going out).
 */
export function patchHeaders(current: Record<string, string>, changes: Record<string, string | null>, removed: string[] = []): Record<string, string> {
  const gone = new Set([...Object.keys(changes), ...removed].map((name) => name.toLowerCase()));
  const headers = Object.fromEntries(Object.entries(current).filter(([name]) => !gone.has(name.toLowerCase())));
  for (const [name, value] of Object.entries(changes)) if (value !== null) headers[name] = value;
  return headers;
}
