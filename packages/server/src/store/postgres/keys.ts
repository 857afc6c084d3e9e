import { assertKeyUnchanged, KEY_CHECK_SETTING } from '../../security/secret-box.ts';
import type { KeyAdmin } from '../slices/keys.ts';
import { transaction, type PgContext } from './context.ts';
import { reseal } from './secrets.ts';
import { UPSERT_SETTING } from './settings.ts';

/** Re-encrypting every stored secret under a new master key. */
export function postgresKeys(ctx: PgContext): KeyAdmin {
  return {
    /** In one transaction that holds the key check row; every slice of this store goes on with `next`. */
    async rotateEncryptionKey(next) {
      const resealed = await transaction(ctx.pool, async (client) => {
        const { rows } = await client.query('SELECT value FROM setting WHERE key = $1 FOR UPDATE', [KEY_CHECK_SETTING]);
        assertKeyUnchanged(rows[0]?.value, ctx.secrets);
        const count = await reseal(client, ctx.secrets, next, false);
        await client.query(UPSERT_SETTING, [KEY_CHECK_SETTING, next.check]);
        return count;
      });
      ctx.secrets = next;
      return resealed;
    },
  };
}
