import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './herald.ts';
import { until } from './wait.ts';

/** A long-running CLI command (herald tail, herald listen) as a child process whose output the test watches. */
export interface CliProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Waits until stdout or stderr (as chosen) matches. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function startCli(args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitFor(stream, pattern, timeoutMs = 15_000) {
      const text = () => (stream === 'stdout' ? out : err);
      const matches = () => (typeof pattern === 'string' ? text().includes(pattern) : pattern.test(text()));
      await until(`herald ${args[0]} to print ${String(pattern)} on ${stream}; it printed:\n${out}\n--- stderr:\n${err}`, () => {
        if (matches()) return true;
        if (exitCode !== undefined) throw new Error(`herald ${args.join(' ')} exited with ${exitCode}:\n${out}\n--- stderr:\n${err}`);
        return false;
      }, timeoutMs);
    },
    async stop(signal = 'SIGINT') {
      if (exitCode === undefined) child.kill(signal);
      return exited;
    },
  };
}
