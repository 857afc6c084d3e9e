/** A listen session's name (`herald listen --name`). Apart from the schemas so a client can check it without TypeBox. */
export const LISTEN_NAME_PATTERN = '^[a-zA-Z0-9._-]{1,64}$';
