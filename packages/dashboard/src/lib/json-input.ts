/**
 * A textarea meant to hold a JSON object (an endpoint filter, a JSON Schema, metadata): empty is none (null);
 * otherwise the object, or why it is not one. `shape` says what is expected, for the message.
 */
export function parseJsonObject(text: string, shape = 'a JSON object'): { value: Record<string, unknown> | null } | { error: string } {
  if (!text.trim()) return { value: null };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: `must be ${shape}` };
    return { value: value as Record<string, unknown> };
  } catch (e) {
    return { error: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}
