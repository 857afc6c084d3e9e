import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, type HeraldConfig } from '../config/config.ts';
import { decodeMasterKey, MasterKey } from './key-format.ts';
import { SecretBox } from './secret-box.ts';

const KEY_FILE = 'encryption.key';

/** Writes a file and flushes it (and its directory entry) to disk before returning: a key must survive a crash. */
function writeDurably(file: string, text: string, flag: 'wx' | 'w'): void {
  const fd = openSync(file, flag, 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The key file `<dataDir>/encryption.key`: the master key as base64, readable by its owner only. A rotation stages
 * the new key beside it as `encryption.key.next` before the database is re-encrypted, and installs it after; a crash
 * in between leaves both, and the next start takes the one the database uses (openKeyring).
 */
export class KeyFile {
  readonly path: string;
  readonly nextPath: string;

  constructor(dataDir: string) {
    this.path = path.join(dataDir, KEY_FILE);
    this.nextPath = `${this.path}.next`;
  }

  /** The key, made and saved first if there is none; `created` says it was. */
  loadOrCreate(): { key: MasterKey; created: boolean } {
    if (existsSync(this.path)) return { key: this.read(this.path), created: false };
    const key = MasterKey.generate();
    // Written whole under a temporary name and then linked into place, which fails if the name exists: two
    // processes starting at once on one data directory end up with the same key, never a half-written file.
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeDurably(temporary, `${key.toBase64()}\n`, 'w');
    try {
      linkSync(temporary, this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return { key: this.read(this.path), created: false };
    } finally {
      rmSync(temporary, { force: true });
    }
    syncDirectory(path.dirname(this.path));
    return { key, created: true };
  }

  /** The new key of a rotation that has not been installed yet. */
  staged(): MasterKey | undefined {
    return existsSync(this.nextPath) ? this.read(this.nextPath) : undefined;
  }

  stage(key: MasterKey): void {
    writeDurably(this.nextPath, `${key.toBase64()}\n`, 'w');
    syncDirectory(path.dirname(this.path));
  }

  /** Makes `key` the key file's key in one rename, then drops the staged copy. */
  install(key: MasterKey): void {
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeDurably(temporary, `${key.toBase64()}\n`, 'w');
    renameSync(temporary, this.path);
    rmSync(this.nextPath, { force: true });
    syncDirectory(path.dirname(this.path));
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }

  /** Like ssh with a private key, a key file others can read is refused: it would no longer protect anything. */
  private read(file: string): MasterKey {
    const mode = statSync(file).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new ConfigError(`the key file ${file} is accessible to other users (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${file}`);
    }
    const key = decodeMasterKey(readFileSync(file, 'utf8'));
    if (!key) throw new ConfigError(`the key file ${file} does not hold a key: 32 bytes as base64 or 64 hex digits`);
    return key;
  }
}

export interface Keyring {
  box: SecretBox;
  /** The key file in use; null when the key comes from HERALD_ENCRYPTION_KEY. */
  keyFile: KeyFile | null;
  /** Once the store has opened: installs a staged key file the database turned out to use (an interrupted rotation). */
  settle(): void;
  /** The store refused the key: a key file created just now goes again, so it is never taken for the original. */
  discard(): void;
}

/**
 * The master key from HERALD_ENCRYPTION_KEY, or else from the data directory's key file, created on first start.
 * Maintenance commands on PostgreSQL (`create: false`) never create one: run from another directory (a CI job) they
 * would otherwise tie the shared database to a throwaway key.
 */
export function openKeyring(config: Pick<HeraldConfig, 'encryptionKey' | 'dataDir' | 'databaseUrl'>, options: { create: boolean } = { create: true }): Keyring {
  if (config.encryptionKey) {
    const file = path.join(config.dataDir, KEY_FILE);
    const source = existsSync(file) ? `HERALD_ENCRYPTION_KEY (which overrides the key file ${file})` : 'HERALD_ENCRYPTION_KEY';
    return { box: new SecretBox([config.encryptionKey], source), keyFile: null, settle() {}, discard() {} };
  }
  const keyFile = new KeyFile(config.dataDir);
  if (!options.create && config.databaseUrl && !existsSync(keyFile.path)) {
    throw new ConfigError(
      `no encryption key: set HERALD_ENCRYPTION_KEY (or --data-dir to the directory holding encryption.key) to the key the servers of this database use`,
    );
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const { key, created } = keyFile.loadOrCreate();
  const staged = keyFile.staged();
  const source = created ? `the key file ${keyFile.path}, created just now as none was found,` : `the key file ${keyFile.path}`;
  const box = new SecretBox(staged ? [key, staged] : [key], source);
  return {
    box,
    keyFile,
    settle() {
      if (staged && box.isCurrent(staged)) keyFile.install(staged);
    },
    discard() {
      if (created) keyFile.remove();
    },
  };
}
