import { Type, type Static, type TSchema } from 'typebox';

/**
 * Endpoint filters, a Herald extension to Svix endpoints: conditions on a message's JSON body and (for messages the
 * inbound gateway received) on the request's headers. The server checks what the schema leaves out (header names,
 * paths, the total number of conditions).
 */

/** Conditions of one filter, headers and body together. */
export const FILTER_MAX_CONDITIONS = 20;
const MAX_VALUE = 1024;

const conditionOf = <T extends TSchema>(value: T) =>
  Type.Union([value, Type.Array(value, { minItems: 1, maxItems: 50 }), Type.Object({ $exists: Type.Boolean() }, { additionalProperties: false })]);
const Scalar = Type.Union([Type.String({ maxLength: MAX_VALUE }), Type.Number(), Type.Boolean(), Type.Null()]);

export const EndpointFilter = Type.Object(
  {
    headers: Type.Optional(Type.Record(Type.String(), conditionOf(Type.String({ maxLength: MAX_VALUE })), {
      maxProperties: FILTER_MAX_CONDITIONS, description: 'By HTTP header name (any case) of the request the inbound gateway received',
    })),
    body: Type.Optional(Type.Record(Type.String(), conditionOf(Scalar), {
      maxProperties: FILTER_MAX_CONDITIONS, description: 'By dot path into the JSON body: a.b, list.0.id; "\\." is a literal dot',
    })),
  },
  {
    additionalProperties: false,
    description: 'Herald: deliver only messages whose body fields and request headers match; every condition must hold',
  },
);
export type EndpointFilterIn = Static<typeof EndpointFilter>;
