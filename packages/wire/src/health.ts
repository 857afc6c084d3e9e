import { Type, type Static } from 'typebox';

export const HealthQuery = Type.Object({ detail: Type.Optional(Type.Boolean()) });

/** GET /api/v1/health?detail=true (and any 503): what each check found. */
export const HealthOut = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unhealthy')]),
  checks: Type.Object({ database: Type.String(), delivery: Type.String() }),
});
export type HealthOut = Static<typeof HealthOut>;
