import { seg } from '../../api/client';

/** A source's API path (by id or uid). */
export const sourcePath = (id: string) => `/api/v1/source/${seg(id)}`;
