import { execFile } from 'node:child_process';

export interface Tool {
  name: string;
  /** Arguments that make the tool answer without doing anything, such as ['--version']. */
  probe: string[];
}

/**
 * Why tests that drive outside tools cannot run here (a tool missing), or false. Not having a tool skips loudly,
 * except under CI=true, where it throws: a CI machine meant to run them that cannot is broken, not a reason to skip.
 */
export async function missingTools(tools: Tool[], what: string, env: NodeJS.ProcessEnv = process.env): Promise<string | false> {
  const missing: string[] = [];
  for (const tool of tools) {
    if (!(await answers(tool, env))) missing.push(tool.name);
  }
  if (missing.length === 0) return false;
  const reason = `${missing.join(' and ')} ${missing.length === 1 ? 'is not installed or does not work' : 'are not installed or do not work'}`;
  if (process.env['CI'] === 'true') throw new Error(`${reason}; CI=true requires ${missing.length === 1 ? 'it' : 'them'} for ${what}`);
  process.stderr.write(`\n!!! ${reason}: SKIPPING ${what}.\n\n`);
  return reason;
}

function answers(tool: Tool, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((resolve) => execFile(tool.name, tool.probe, { env, timeout: 30_000 }, (err) => resolve(err === null)));
}
