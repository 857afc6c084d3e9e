import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ADMIN_TOKEN, spawnHerald, tempDir } from '../helpers/herald.ts';
import { until } from '../helpers/wait.ts';

// The harness itself: a `herald serve` that misses its start deadline must not outlive it, or its open pipes keep the
// test file running until CI's own limit (it happened under heavy load, in the multi-process tests).
test('a herald that does not start in time is killed, so the test file can end', async () => {
  const failure = await spawnHerald([], { HERALD_ADMIN_TOKEN: ADMIN_TOKEN, HERALD_PORT: '0', HERALD_DATA_DIR: tempDir() }, 200).then(
    () => assert.fail('a start within 0.2 s was not expected'),
    (err: Error) => err,
  );
  const pid = Number(/herald \(pid (\d+)\) did not start within 0.2 s/.exec(failure.message)?.[1]);
  assert.ok(pid > 0, failure.message);
  const running = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await until(`process ${pid} to be gone`, () => !running(), 5_000);
});
