import type { ListResponse } from '@herald/wire';
import { withQueryValues, type Route } from '../lib/router';

/**
 * Where a page of a keyset list sits. The route's `iterator` says how it was reached: none (the first page),
 * forward (an id), or backward ('-' and an id, from prevIterator). `done` tells whether the walk in that
 * direction reached the end.
 */
export function pageLinks(route: Route, page: ListResponse<unknown>) {
  const iterator = route.query.get('iterator');
  const backward = iterator?.startsWith('-') ?? false;
  const empty = page.data.length === 0;
  const hasPrev = iterator !== null && !empty && (backward ? !page.done : true);
  const hasNext = !empty && (backward ? true : !page.done);
  return {
    // Walking back to the start is the first page too.
    first: iterator !== null && !(backward && page.done) ? withQueryValues(route, { iterator: null }) : null,
    prev: hasPrev && page.prevIterator ? withQueryValues(route, { iterator: page.prevIterator }) : null,
    next: hasNext && page.iterator ? withQueryValues(route, { iterator: page.iterator }) : null,
  };
}

function PageLink({ to, children, rel }: { to: string | null; children: string; rel: string }) {
  if (!to) {
    return (
      <span className="button button-small" aria-disabled="true">
        {children}
      </span>
    );
  }
  return (
    <a className="button button-small" href={to} rel={rel}>
      {children}
    </a>
  );
}

export function Pager({ route, page, firstLabel = 'First page' }: { route: Route; page: ListResponse<unknown>; firstLabel?: string }) {
  const links = pageLinks(route, page);
  if (!links.first && !links.prev && !links.next) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <PageLink to={links.first} rel="first">
        {firstLabel}
      </PageLink>
      <PageLink to={links.prev} rel="prev">
        ← Previous
      </PageLink>
      <PageLink to={links.next} rel="next">
        Next →
      </PageLink>
    </nav>
  );
}
