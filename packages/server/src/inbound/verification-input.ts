import { VERIFICATION_TYPES, type VerificationType } from '@herald/wire';
import { Ajv, type ValidateFunction } from 'ajv';
import { HeraldError } from '../lib/errors.ts';
import { verificationConfigProblem, VerificationSchema, type Verification } from './verification.ts';

/**
 * Checking a verification scheme given to the API. Validated against the one variant its `type` names, so a mistake
 * gets one precise message instead of every variant's complaints (what a plain union validation reports).
 */

type Variant = { properties: { type: { const: string }; signed?: { const?: string } } };

const ajv = new Ajv({ strict: false, allErrors: false });
const variants = new Map<string, { schema: Variant; validate: ValidateFunction }[]>();
for (const schema of (VerificationSchema as unknown as { anyOf: Variant[] }).anyOf) {
  const type = schema.properties.type.const;
  variants.set(type, [...(variants.get(type) ?? []), { schema, validate: ajv.compile(schema) }]);
}
export { VERIFICATION_TYPES };

/** The route schema (the wire package's VerificationIn) names the types there are variants for: this fails to compile when they differ. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<Verification['type'], VerificationType>;

export function checkVerification(value: { type: string }): Verification {
  const type = value.type;
  const candidates = variants.get(type) ?? [];
  // The generic HMAC has a variant per thing signed: the one the value asks for is the one to report against.
  const signed = (value as { signed?: unknown }).signed;
  const named = candidates.find((c) => (c.schema.properties.signed?.const ?? 'body') === (signed ?? 'body')) ?? candidates[0];
  if (!named) throw HeraldError.validation(['body', 'verification', 'type'], `must be one of ${VERIFICATION_TYPES.join(', ')}`);
  if (!named.validate(value)) {
    const error = named.validate.errors?.[0];
    const params = (error?.params ?? {}) as Record<string, unknown>;
    const where = (error?.instancePath ?? '').split('/').filter(Boolean);
    const field = typeof params['missingProperty'] === 'string' ? params['missingProperty'] : typeof params['additionalProperty'] === 'string' ? params['additionalProperty'] : undefined;
    const message = error?.keyword === 'additionalProperties' ? `has no field "${String(field)}" for type ${type}` : error?.message ?? 'is invalid';
    throw HeraldError.validation(['body', 'verification', ...where, ...(field && error?.keyword === 'required' ? [field] : [])], message);
  }
  const problem = verificationConfigProblem(value as Verification);
  if (problem) throw HeraldError.validation(['body', 'verification'], problem);
  return value as Verification;
}
