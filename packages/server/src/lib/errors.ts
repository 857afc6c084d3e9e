/**
 * The one exception type Herald throws for anything a client can be told about.
 * The API's error handler turns it into the Svix error shapes; anything else becomes a bare 500.
 */
export class HeraldError extends Error {
  override name = 'HeraldError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    readonly detail: string,
    /** For 422 only: the Svix `{loc, msg, type}` items. */
    readonly validation?: ValidationItem[],
  ) {
    super(detail);
  }

  static notFound(what = 'Entity'): HeraldError {
    return new HeraldError(404, 'not_found', `${what} not found`);
  }

  static conflict(detail: string): HeraldError {
    return new HeraldError(409, 'conflict', detail);
  }

  static badRequest(code: string, detail: string): HeraldError {
    return new HeraldError(400, code, detail);
  }

  /** The database is out of space: nothing of the request was stored; it can be sent again once space is freed. */
  static insufficientStorage(cause: string): HeraldError {
    return new HeraldError(507, 'insufficient_storage', `The database is out of space (${cause}); nothing was stored. Free disk space where Herald keeps its data, then retry.`);
  }

  static validation(loc: string[], msg: string, type = 'value_error'): HeraldError {
    return new HeraldError(422, 'validation', msg, [{ loc, msg, type }]);
  }
}

export interface ValidationItem {
  loc: string[];
  msg: string;
  type: string;
}
