import type { Command } from 'commander';
import { ConfigError, loadConfig, type HeraldConfig } from '../config/config.ts';
import { decodeMasterKey, MasterKey } from '../security/key-format.ts';
import { SecretBox } from '../security/secret-box.ts';
import type { Dialect } from '../store/storage.ts';

export interface RotationResult {
  /** Secret values re-encrypted: endpoint keys (expired ones included) and custom header sets. */
  resealed: number;
  keyId: string;
  /** The key file that now holds the new key; null when the key comes from HERALD_ENCRYPTION_KEY. */
  keyFile: string | null;
  dialect: Dialect;
}

/**
 * Re-encrypts every endpoint secret and custom header set under `newKey` and makes it the database's key, in one
 * transaction. `keep` runs once the database has accepted the current key and before the commit: whatever it does
 * to save the new key is done before any value depends on it. With a key file the new key is staged beside it first
 * and installed after the commit (a crash in between is finished by the next start).
 */
export async function rotateEncryptionKey(config: HeraldConfig, newKey: MasterKey, keep: () => void = () => {}): Promise<RotationResult> {
  const { openStore } = await import('../main.ts');
  // Opened as a sender: on SQLite that takes the data directory lock, so this refuses to run beside a server, which
  // could neither read the re-encrypted secrets nor write new ones.
  const { store, release, keyring } = await openStore(config, { sending: true });
  try {
    if (keyring.box.isCurrent(newKey)) throw new ConfigError('the new key is the key the database already uses');
    const next = new SecretBox([newKey], 'the new key');
    keep();
    keyring.keyFile?.stage(newKey);
    const resealed = await store.keys.rotateEncryptionKey(next);
    keyring.keyFile?.install(newKey);
    return { resealed, keyId: next.keyId, keyFile: keyring.keyFile?.path ?? null, dialect: store.dialect };
  } finally {
    await store.close();
    release();
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

interface RotateOptions {
  newKey?: string;
  dataDir?: string;
  databaseUrl?: string;
  config?: string;
}

export function registerEncryptionCommands(program: Command): void {
  program
    .command('rotate-encryption-key')
    .description('re-encrypt endpoint secrets and custom header values under a new master key (stop the server first on SQLite)')
    .option('--new-key <key>', 'the new key: 32 bytes as base64 or 64 hex digits, or - to read it from standard input (default: a new random key)')
    .option('--data-dir <dir>', 'where the SQLite database and the key file live (HERALD_DATA_DIR, default ./.herald)')
    .option('--database-url <url>', 'rotate PostgreSQL instead of SQLite (HERALD_DATABASE_URL)')
    .option('--config <file>', 'JSON config file (HERALD_CONFIG)')
    .action(async (opts: RotateOptions) => {
      const config = loadConfig({ flags: { dataDir: opts.dataDir, databaseUrl: opts.databaseUrl }, env: process.env, configFile: opts.config });
      const given = opts.newKey === '-' ? await readStdin() : opts.newKey;
      const newKey = given === undefined ? MasterKey.generate() : decodeMasterKey(given);
      if (!newKey) throw new ConfigError('--new-key must be 32 random bytes as base64 or as 64 hex digits (make one with: openssl rand -base64 32)');
      const fromEnv = config.encryptionKey !== undefined;
      // A generated key for the environment exists only in this output: shown before the commit, so it is never lost.
      const keep = () => {
        if (fromEnv && given === undefined) {
          process.stdout.write(`herald: the new encryption key (shown only here; keep it where HERALD_ENCRYPTION_KEY comes from):\n\n    ${newKey.toBase64()}\n\n`);
        }
      };
      const result = await rotateEncryptionKey(config, newKey, keep);
      const restart =
        result.dialect === 'postgres'
          ? 'Restart every Herald process using this database with it: until then, those still on the old key fail to read re-encrypted secrets and refuse to write new ones.'
          : 'Start Herald again.';
      process.stdout.write(
        `herald: re-encrypted ${result.resealed} secret values under key ${result.keyId}.\n` +
          (result.keyFile
            ? `The key file ${result.keyFile} now holds the new key (copy it to every machine that had the old one). ${restart}\n`
            : `Set HERALD_ENCRYPTION_KEY to the new key. ${restart}\n`),
      );
    });
}
