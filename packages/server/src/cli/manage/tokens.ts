import type { AuditEntryOut, Scope, TokenOut } from '@herald/wire';
import type { Command } from 'commander';
import { UsageError } from '../client.ts';
import { printJson, printPage, printRecord, say, type Column } from '../output.ts';
import {
  defined, durationSeconds, listSubcommand, pageQuery, positiveInteger, subcommand, timeOption, withApi,
  type CommonOptions, type ListOptions,
} from './shared.ts';

const SCOPES: readonly Scope[] = ['admin', 'read-only', 'app'];
const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);

const tokenColumns: Column<TokenOut>[] = [
  { header: 'ID', value: (t) => t.id },
  { header: 'NAME', value: (t) => t.name },
  { header: 'SCOPE', value: (t) => (t.scope === 'app' && t.readOnly ? 'app, read-only' : t.scope) },
  { header: 'APP', value: (t) => t.appId },
  { header: 'PREFIX', value: (t) => `${t.prefix}…` },
  { header: 'EXPIRES', value: (t) => t.expiresAt ?? 'never' },
  { header: 'LAST USED', value: (t) => t.lastUsedAt ?? 'never' },
];

const auditColumns: Column<AuditEntryOut>[] = [
  { header: 'TIME', value: (e) => e.timestamp },
  { header: 'WHO', value: (e) => e.actorName },
  { header: 'FROM', value: (e) => e.ip },
  { header: 'WHAT', value: (e) => `${e.method} ${e.path}` },
  { header: 'STATUS', value: (e) => e.statusCode },
  { header: 'RESOURCE', value: (e) => e.resourceId },
];

interface CreateOptions extends CommonOptions {
  name: string;
  scope: string;
  app?: string;
  readOnly?: boolean;
  expiresIn?: string;
  rateLimit?: string;
}

/** herald token create|list|get|revoke, herald portal-link and herald audit list. */
export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('manage API tokens: admin, read-only, or reaching one application (admin token needed)');

  subcommand(token, 'create', 'create a token; it is printed once and stored only as a hash')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--scope <scope>', `one of ${SCOPES.join(', ')}`, 'app')
    .option('--app <app>', 'the application an app token reaches (id or uid)')
    .option('--read-only', 'an app token that may only read')
    .option('--expires-in <duration>', 'expire after this long, e.g. 30d or 12h (default: never)')
    .option('--rate-limit <n>', 'requests per second this token may make')
    .action((opts: CreateOptions) =>
      withApi(opts, async (api) => {
        const scope = opts.scope;
        if (!isScope(scope)) throw new UsageError(`--scope must be one of ${SCOPES.join(', ')} (got "${scope}")`);
        if (scope === 'app' && !opts.app) throw new UsageError('an app token needs --app');
        const body = {
          name: opts.name,
          scope,
          ...defined({
            appId: opts.app,
            readOnly: opts.readOnly,
            expiresIn: durationSeconds(opts.expiresIn, '--expires-in'),
            rateLimit: opts.rateLimit === undefined ? undefined : positiveInteger(opts.rateLimit, '--rate-limit'),
          }),
        };
        const created = await api.call('POST /api/v1/token', { body });
        if (opts.json) return printJson(created);
        const { token: secret, ...shown } = created;
        say(`created token ${created.id}. It is shown only this once:\n\n    ${secret}\n`);
        printRecord({ ...shown });
      }));

  listSubcommand(token, 'list tokens, oldest first')
    .option('--portal', 'list the consumer portal links instead')
    .action((opts: ListOptions & { portal?: boolean }) =>
      withApi(opts, async (api) => {
        const page = await api.call('GET /api/v1/token', { query: { ...pageQuery(opts), portal: opts.portal } });
        if (opts.json) printJson(page);
        else printPage(page, tokenColumns, 'no tokens');
      }));

  subcommand(token, 'get <id>', 'show a token (never the token itself)').action((id: string, opts: CommonOptions) =>
    withApi(opts, async (api) => {
      const found = await api.call('GET /api/v1/token/:token_id', { params: { token_id: id } });
      if (opts.json) printJson(found);
      else printRecord({ ...found });
    }));

  subcommand(token, 'revoke <id>', 'revoke a token: it stops working at once').action((id: string, opts: CommonOptions) =>
    withApi(opts, async (api) => {
      await api.call('DELETE /api/v1/token/:token_id', { params: { token_id: id } });
      if (!opts.json) say(`revoked token ${id}`);
    }));

  subcommand(program, 'portal-link <app>', "a link to one application's consumer portal, with a token that reaches only that application")
    .option('--read-only', 'the portal may only look')
    .option('--expires-in <duration>', 'how long the link works, e.g. 1h or 7d (default 7d)')
    .action((app: string, opts: CommonOptions & { readOnly?: boolean; expiresIn?: string }) =>
      withApi(opts, async (api) => {
        const body = defined({ readOnly: opts.readOnly, expiry: durationSeconds(opts.expiresIn, '--expires-in') });
        const access = await api.call('POST /api/v1/auth/app-portal-access/:app_id', { params: { app_id: app }, body });
        if (opts.json) printJson(access);
        else say(access.url);
      }));

  const audit = program.command('audit').description('the audit log: every change made through the API (admin token needed)');
  listSubcommand(audit, 'list changes, newest first')
    .option('--app <app>', 'only changes to this application')
    .option('--token-id <id>', 'only changes made with this token')
    .option('--since <time>', 'from this time (date-time, or an age such as 24h)')
    .option('--until <time>', 'up to this time')
    .action((opts: ListOptions & { app?: string; tokenId?: string; since?: string; until?: string }) =>
      withApi(opts, async (api) => {
        const query = {
          ...pageQuery(opts), app_id: opts.app, token_id: opts.tokenId, since: timeOption(opts.since, '--since'), until: timeOption(opts.until, '--until'),
        };
        const page = await api.call('GET /api/v1/audit-log', { query });
        if (opts.json) printJson(page);
        else printPage(page, auditColumns, 'no changes recorded');
      }));
}
