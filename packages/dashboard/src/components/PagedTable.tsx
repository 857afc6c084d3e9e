import type { ReactNode } from 'react';
import type { ListResponse } from '@herald/wire';
import type { Route } from '../lib/router';
import type { Loaded } from '../lib/useApi';
import { ErrorMessage, Spinner } from './common';
import { Pager } from './Pager';

/**
 * A server-side page of a list as a table: the error (with a retry), a spinner before the first answer, what to say
 * when the page is empty, the rows, and the pager under them.
 */
export function PagedTable<T>({ page, route, empty, headers, row, testId, firstLabel }: {
  page: Loaded<ListResponse<T>>;
  route: Route;
  empty: ReactNode;
  headers: string[];
  row: (item: T) => ReactNode;
  testId?: string;
  /** What the pager calls the first page ("Newest" for lists that start with the newest). */
  firstLabel?: string;
}) {
  return (
    <>
      {page.error && <ErrorMessage error={page.error} onRetry={page.reload} />}
      {!page.data && !page.error && <Spinner />}
      {page.data && page.data.data.length === 0 && <div className="empty-state">{empty}</div>}
      {page.data && page.data.data.length > 0 && (
        <div className="table-wrap">
          <table className="list" data-testid={testId}>
            <thead>
              <tr>
                {headers.map((h) => (
                  <th key={h}>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>{page.data.data.map(row)}</tbody>
          </table>
        </div>
      )}
      {page.data && <Pager route={route} page={page.data} firstLabel={firstLabel} />}
    </>
  );
}
