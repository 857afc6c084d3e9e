import { Type, type Static } from 'typebox';

/** What the API answers instead of a success: Svix's `{code, detail}`, or for a 422 the fields at fault. */

export const ErrorOut = Type.Object({ code: Type.String(), detail: Type.String() });
export type ErrorOut = Static<typeof ErrorOut>;

/** One field a 422 refused: where (`['body', 'filter', …]`), what is wrong, and the kind of fault. */
export const ValidationItem = Type.Object({ loc: Type.Array(Type.String()), msg: Type.String(), type: Type.String() });
export type ValidationItem = Static<typeof ValidationItem>;

export const ValidationErrorOut = Type.Object({ detail: Type.Array(ValidationItem) });
export type ValidationErrorOut = Static<typeof ValidationErrorOut>;
