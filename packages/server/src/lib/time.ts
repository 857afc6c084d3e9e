/** Epoch milliseconds as the RFC 3339 UTC text the API and operational webhooks show. */
export const iso = (ms: number): string => new Date(ms).toISOString();
