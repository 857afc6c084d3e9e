/**
 * The charts on a new install, in Chromium: a few minutes of attempts open on a range they fill (not one bar at the
 * right edge of a day), the three charts share one x axis (a bucket sits at the same x in each), and the latency
 * lines run forward in time with p50 under p95 under p99.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Locator } from 'playwright-core';
import { eventually, shot, skipBrowser as skip, useDashboard } from '../helpers/browser.ts';
import { useTestServer } from '../helpers/test-server.ts';

/** The points of an SVG path made of M and L commands. */
function pathPoints(d: string): { x: number; y: number }[] {
  return [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
}

/** Each hover column's box on the page, one per bucket: where that bucket sits in the chart. */
const columns = (chart: Locator) => chart.locator('rect.hover-col').evaluateAll((rects) => rects.map((r) => {
  const box = r.getBoundingClientRect();
  return { x: box.x, width: box.width };
}));

describe('charts on a new install', { skip, timeout: 90_000 }, () => {
  const server = useTestServer({ receiver: true });
  const ui = useDashboard(server);
  let appId: string;

  before(async () => {
    // Answers take 0 to 150 ms, so the percentiles differ.
    let n = 0;
    server.receiver.responder = async (_req, res) => {
      await new Promise((r) => setTimeout(r, (n++ * 37) % 150));
      res.writeHead(n % 4 === 0 ? 500 : 200).end('ok');
    };
    appId = (await server.call('POST', '/api/v1/app', { name: 'Fresh install' })).json.id;
    await server.call('POST', `/api/v1/app/${appId}/endpoint`, { url: server.receiver.url('/hook') });
    for (let i = 0; i < 12; i++) await server.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'order.placed', payload: { i } });
    await server.receiver.waitFor((r) => r.length >= 12, 20_000, 'the deliveries');
  });

  it('opens on the shortest range that holds the data, where minutes of attempts are readable bars', async () => {
    await ui.page.goto(`${server.herald.url}/ui/#/apps/${appId}/stats`);
    const stats = ui.page.getByRole('region', { name: 'Application stats' });
    const volume = stats.getByTestId('chart-volume');
    await eventually('the volume bars', async () => (await volume.locator('rect.bar-ok').count()) > 0);
    assert.equal(await stats.getByRole('button', { name: '15 minutes' }).getAttribute('aria-pressed'), 'true', 'the range fits the data');
    assert.match(await stats.getByTestId('stats-summary').innerText(), /Attempts\s+12/);
    // Fifteen minute-wide buckets: every bar is a fifteenth of the plot, and the axis is labelled in minutes.
    const plot = await volume.locator('.x-axis line.axis-line').first().boundingBox();
    const bar = await volume.locator('rect.bar-ok').first().boundingBox();
    assert.ok(plot && bar && bar.width >= plot.width / 20, `a bar is ${bar?.width} px of ${plot?.width}`);
    assert.ok((await volume.locator('.x-axis text').count()) >= 4, 'time labels a few minutes apart');
    await shot(ui.page, '60-charts-fitted');

    // Another range is one click away, and stays picked.
    await stats.getByRole('button', { name: 'Last hour' }).click();
    await eventually('the last hour', async () => (await stats.getByRole('button', { name: 'Last hour' }).getAttribute('aria-pressed')) === 'true');
    await eventually('the hour\'s 60 buckets', async () => (await volume.locator('rect.hover-col').count()) >= 60);
  });

  it('puts a bucket at the same x in every chart, and draws latency lines forward in time with p50 <= p95 <= p99', async () => {
    const stats = ui.page.getByRole('region', { name: 'Application stats' });
    for (const range of ['Last hour', '15 minutes']) {
      await stats.getByRole('button', { name: range }).click();
      await eventually(range, async () => (await stats.getByRole('button', { name: range }).getAttribute('aria-pressed')) === 'true');
      // The three charts re-render from the new range's data one after another: read them once they all have.
      let charts: Awaited<ReturnType<typeof columns>>[] = [];
      const read = async () => (charts = await Promise.all(['chart-volume', 'chart-success', 'chart-latency'].map((id) => columns(stats.getByTestId(id)))));
      await eventually(`${range}: every chart drawn`, async () => (await read()).every((chart) => chart.length === charts[0]!.length && chart.every((c) => c.width > 0)));
      const [volume, success, latency] = charts;
      assert.ok(volume!.length >= 15, `${range}: ${volume!.length} buckets`);
      assert.deepEqual(success!.length, volume!.length);
      for (const [name, chart] of [['success rate', success!], ['latency', latency!]] as const) {
        chart.forEach((c, i) => {
          assert.ok(Math.abs(c.x - volume![i]!.x) < 0.5 && Math.abs(c.width - volume![i]!.width) < 0.5,
            `${range}: bucket ${i} of the ${name} chart is at x ${c.x} (${c.width} wide), in the volume chart at ${volume![i]!.x} (${volume![i]!.width})`);
        });
      }

      const latencyChart = stats.getByTestId('chart-latency');
      const lines = await Promise.all(['p50', 'p95', 'p99'].map(async (p) => pathPoints(await latencyChart.locator(`.line-${p} path.line`).getAttribute('d') ?? '')));
      assert.ok(lines[0]!.length >= 1, `${range}: a latency line`);
      for (const line of lines) {
        for (let i = 1; i < line.length; i++) assert.ok(line[i]!.x > line[i - 1]!.x, `${range}: a line goes back in time at point ${i}`);
      }
      // The same buckets in each line; a higher percentile is higher on screen (a smaller y) or equal.
      const [p50, p95, p99] = lines;
      assert.deepEqual(p95!.map((p) => p.x), p50!.map((p) => p.x));
      p50!.forEach((p, i) => {
        assert.ok(p95![i]!.y <= p.y + 0.05 && p99![i]!.y <= p95![i]!.y + 0.05, `${range}: percentiles cross at x ${p.x}`);
      });
    }
    await shot(ui.page, '61-charts-shared-axis');
    assert.deepEqual(ui.pageErrors, []);
  });
});
