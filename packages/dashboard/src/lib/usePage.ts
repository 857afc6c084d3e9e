import { withQuery } from '../api/client';
import type { ListResponse } from '../api/types';
import type { Route } from './router';
import { useSession } from './session-context';
import { useApi } from './useApi';

export const PAGE_SIZE = 25;

/**
 * One page of a server-side list, at the route's `iterator`. With `liveMs`, the first page is fetched again that
 * often (new messages and attempts appear at the top); later pages stay still while being read.
 */
export function usePage<T>(
  path: string | null,
  route: Route,
  query: Record<string, string | number | boolean | undefined> = {},
  liveMs: number | false = false,
) {
  const { api } = useSession();
  const iterator = route.query.get('iterator') ?? undefined;
  const q = { limit: PAGE_SIZE, ...query, iterator };
  const key = path === null ? null : withQuery(path, q);
  return useApi(key, (signal) => api.get<ListResponse<T>>(path!, q, signal), { pollMs: iterator ? false : liveMs, keep: true });
}
