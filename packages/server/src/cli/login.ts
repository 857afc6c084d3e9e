import type { Command } from 'commander';
import { ApiClient, currentProfileName, normalizeUrl, removeProfile, saveProfile, UsageError } from './client.ts';
import { say } from './output.ts';

const DEFAULT_PROFILE = 'default';

/** Reads a line from the terminal without showing it (the token must not end up on screen or in scrollback). */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          finish();
          reject(new UsageError('login cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function firstLineOfStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** The token: --token, else asked for at a terminal, else the first line of standard input (`... | herald login`). */
async function readToken(given: string | undefined): Promise<string> {
  const token = (given ?? (process.stdin.isTTY ? await promptHidden('API token: ') : await firstLineOfStdin())).trim();
  if (!token) throw new UsageError('no token given: use --token, type it when asked, or pipe it on standard input');
  return token;
}

/** herald login and herald logout: profiles (URL and token) that the other commands use when given neither. */
export function registerLoginCommands(program: Command): void {
  program
    .command('login')
    .description('check a server URL and token, and save them as a profile for the other commands')
    .requiredOption('--url <url>', 'Herald server URL, e.g. http://127.0.0.1:8800')
    .option('--token <token>', 'API token (default: asked for without echo, or the first line of standard input)')
    .option('--profile <name>', 'save under this name (use it with --profile or HERALD_PROFILE)', DEFAULT_PROFILE)
    .action(async (opts: { url: string; token?: string; profile: string }) => {
      const url = normalizeUrl(opts.url);
      const token = await readToken(opts.token);
      const api = new ApiClient({ url, token, source: 'login' });
      try {
        // Any authenticated read proves the pair works; a wrong token fails here (exit 4), before anything is saved.
        await api.request('GET', '/api/v1/app', { query: { limit: 1 } });
      } finally {
        await api.close();
      }
      const file = await saveProfile(opts.profile, url, token);
      say(`logged in to ${url}; saved as profile "${opts.profile}" in ${file}`);
    });

  program
    .command('logout')
    .description('forget a saved profile (default: the current one)')
    .option('--profile <name>', 'the profile to forget')
    .action(async (opts: { profile?: string }) => {
      const name = opts.profile ?? (await currentProfileName()) ?? DEFAULT_PROFILE;
      if (!(await removeProfile(name))) throw new UsageError(`no profile "${name}" to forget`);
      say(`forgot profile "${name}"`);
    });
}
