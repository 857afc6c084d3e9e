/**
 * How the inbound gateway tells a genuine webhook from a forged or replayed one, per provider scheme, and what the
 * provider says about it (its delivery id and event type). Pure: no I/O, the clock is a parameter.
 */
export {
  DEFAULT_TOLERANCE_SECONDS, REDACTED, VerificationSchema, redactVerification, verificationConfigProblem, type Verification,
} from './verification/config.ts';
export { providerDeliveryId, providerEventType } from './verification/provider.ts';
export type { InboundRequest } from './verification/request.ts';
export { verifyInbound, type VerificationResult } from './verification/verify.ts';
