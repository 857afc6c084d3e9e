import type { SecretBox } from '../../security/secret-box.ts';

/** Re-encrypting every stored secret under a new master key (`herald encryption rotate`); nothing else uses it. */
export interface KeyAdmin {
  /** Re-seals every secret value with `next` and records it as the database's key, in one transaction; returns how many. */
  rotateEncryptionKey(next: SecretBox): Promise<number>;
}
