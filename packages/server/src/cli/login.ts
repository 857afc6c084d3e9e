import type { Command } from 'commander';
import { ApiClient, currentProfileName, loadProfiles, normalizeUrl, removeProfile, saveProfile, UsageError, useProfile } from './client.ts';
import { paint, printJson, say } from './output.ts';

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
      const existed = await loadProfiles();
      const api = new ApiClient({ url, token, source: `this login (nothing was saved as profile "${opts.profile}")` });
      try {
        // Any authenticated read proves the pair works; a wrong token fails here (exit 4), before anything is saved.
        await api.call('GET /api/v1/app', { query: { limit: 1 } });
      } finally {
        await api.close();
      }
      const { file, current } = await saveProfile(opts.profile, url, token);
      const which = current !== opts.profile
        ? `; the current profile is still "${current}": use this one with --profile ${opts.profile}, or make it current with "herald profile use ${opts.profile}"`
        : existed.current === opts.profile ? ' (the current profile)' : '; it is now the current profile (there was none)';
      say(`logged in to ${url}; saved as profile "${opts.profile}" in ${file}${which}`);
    });

  program
    .command('logout')
    .description('forget a saved profile (default: the current one)')
    .option('--profile <name>', 'the profile to forget')
    .action(async (opts: { profile?: string }) => {
      const name = opts.profile ?? (await currentProfileName()) ?? DEFAULT_PROFILE;
      const { removed, current } = await removeProfile(name);
      if (!removed) throw new UsageError(`no profile "${name}" to forget`);
      // Another saved server taking over must not go unsaid.
      say(`forgot profile "${name}"${current ? `; the current profile is "${current}"` : ''}`);
    });

  registerProfileCommands(program);
}

/** The profile in use when none is named, and why: HERALD_PROFILE, else the file's current one. */
async function effectiveProfile(): Promise<{ name?: string; from: string; saved: Awaited<ReturnType<typeof loadProfiles>> }> {
  const saved = await loadProfiles();
  const fromEnv = process.env['HERALD_PROFILE'];
  return fromEnv ? { name: fromEnv, from: 'HERALD_PROFILE', saved } : { name: saved.current, from: saved.file, saved };
}

/** herald profile list|use|current: which saved servers there are and which one commands use. Tokens are never shown. */
function registerProfileCommands(program: Command): void {
  const profile = program.command('profile').description('list the saved profiles (servers), and choose the one used when --profile is not given');

  profile
    .command('list')
    .description('list the saved profiles; "*" marks the current one')
    .option('--json', 'print {current, profiles: [{name, url}]}')
    .action(async (opts: { json?: boolean }) => {
      const { name: current, from, saved } = await effectiveProfile();
      const rows = Object.entries(saved.profiles).map(([name, p]) => ({ name, url: p.url }));
      if (opts.json) return printJson({ current: current ?? null, profiles: rows });
      if (rows.length === 0) return say(paint('dim', `(no profiles in ${saved.file}; save one with "herald login --url URL")`));
      const width = Math.max(...rows.map((r) => r.name.length));
      for (const row of rows) say(`${row.name === current ? '*' : ' '} ${paint(row.name === current ? 'bold' : 'dim', row.name.padEnd(width))}  ${row.url}`);
      if (from === 'HERALD_PROFILE') say(paint('dim', `(current: "${current}", from HERALD_PROFILE)`));
    });

  profile
    .command('use <name>')
    .description('make a saved profile the current one')
    .action(async (name: string) => {
      const file = await useProfile(name);
      say(`the current profile is now "${name}" (saved in ${file})`);
      const fromEnv = process.env['HERALD_PROFILE'];
      if (fromEnv && fromEnv !== name) process.stderr.write(`herald: note: HERALD_PROFILE="${fromEnv}" is set and wins over it in this shell\n`);
    });

  profile
    .command('current')
    .description('print the profile used when none is named, and its server')
    .option('--json', 'print {name, url, from}')
    .action(async (opts: { json?: boolean }) => {
      const { name, from, saved } = await effectiveProfile();
      if (!name) throw new UsageError(`no current profile in ${saved.file}; save one with "herald login --url URL"`);
      const entry = saved.profiles[name];
      if (!entry) throw new UsageError(`${from} names profile "${name}", which is not in ${saved.file}`);
      if (opts.json) return printJson({ name, url: entry.url, from });
      say(`${name}  ${entry.url}`);
    });
}
