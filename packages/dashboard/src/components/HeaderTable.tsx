/**
 * Request headers, one row per value (a header may repeat). Headers named in `withheld` were sent, but their values
 * are not kept: they are shown as such so that nobody mistakes them for missing.
 */
export function HeaderTable({ headers, withheld = [], testId }: {
  headers: Record<string, string | string[]>;
  withheld?: string[];
  testId: string;
}) {
  const rows = Object.entries(headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v, i) => [name, v, i] as const));
  if (rows.length === 0 && withheld.length === 0) return <p className="muted">No headers.</p>;
  return (
    <div className="table-wrap">
      <table className="list headers" data-testid={testId}>
        <tbody>
          {rows.map(([name, value, i]) => (
            <tr key={`${name}:${i}`}>
              <th scope="row" className="mono">
                {name}
              </th>
              <td className="mono wrap">{value}</td>
            </tr>
          ))}
          {withheld.map((name) => (
            <tr key={`withheld:${name}`}>
              <th scope="row" className="mono">
                {name}
              </th>
              <td className="muted">value withheld (a custom header of the endpoint)</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
