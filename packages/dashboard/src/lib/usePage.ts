import { routeTarget, type ListResponse, type RouteKey, type RouteParams, type RouteQuery, type RouteResponse } from '@herald/wire';
import { withQuery } from '../api/client';
import type { Route } from './router';
import { useSession } from './session-context';
import { useApi } from './useApi';

export const PAGE_SIZE = 25;

/** The routes that answer with a page of a list, and what their lists hold. */
export type ListRoute = { [K in RouteKey]: RouteResponse<K> extends ListResponse<unknown> ? K : never }[RouteKey];
export type ItemOf<K extends ListRoute> = RouteResponse<K> extends ListResponse<infer T> ? T : never;

/**
 * One page of a server-side list, at the route's `iterator`; `params` null while there is nothing to list. With
 * `liveMs`, the first page is fetched again that often (new messages and attempts appear at the top); later pages
 * stay still while being read.
 */
export function usePage<K extends ListRoute>(
  list: K,
  params: RouteParams<K> | null,
  route: Route,
  query?: RouteQuery<K>,
  liveMs: number | false = false,
) {
  const { api } = useSession();
  const iterator = route.query.get('iterator') ?? undefined;
  const q = { limit: PAGE_SIZE, ...query, iterator };
  const key = params === null ? null : withQuery(routeTarget(list, params).path, q);
  // A route K of many: its request cannot be spelled out here, only by each caller, whose types check it.
  const callList = api.call as unknown as (route: K, request: { params: RouteParams<K> | null; query: typeof q; signal: AbortSignal }) => Promise<ListResponse<ItemOf<K>>>;
  return useApi(key, (signal) => callList.call(api, list, { params, query: q, signal }), { pollMs: iterator ? false : liveMs, keep: true });
}
