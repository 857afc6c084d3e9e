/** One message as a destination receives it: Herald's signed webhook. */
export interface PublishedMessage {
  /** The message id (msg_...): also the broker's message id / the row's key, so a redelivery can be recognised. */
  id: string;
  eventType: string;
  /** The webhook-id, webhook-timestamp and webhook-signature headers (and any custom ones), lower-case names. */
  headers: Record<string, string>;
  /** The JSON payload text exactly as signed. */
  body: string;
  /** When the message was created, epoch ms. */
  timestamp: number;
}

/**
 * A destination's connection: publish resolves only once the broker or database acknowledged every message of the
 * batch; it rejects with an Error whose message says what went wrong in plain words (e.g. "RabbitMQ refused the
 * connection: ECONNREFUSED 127.0.0.1:5999", "PostgreSQL: relation \"events\" does not exist").
 */
export interface Publisher {
  publish(batch: readonly PublishedMessage[], timeoutMs: number): Promise<void>;
  /** Closes the connection; publish after close reopens. */
  close(): Promise<void>;
}

/**
 * Runs work and settles as it does, or rejects with "<service>: timed out after Ns" once timeoutMs have passed,
 * calling onTimeout first: there the connection is dropped, so the next publish opens a fresh one instead of queueing
 * behind a stuck one. The clock starts before the work does, so a library's own timeout of the same length (set as
 * the work starts) comes second and the message is always this one.
 */
export function withTimeout<T>(service: string, timeoutMs: number, work: () => Promise<T>, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${service}: timed out after ${timeoutMs / 1000}s`));
    }, timeoutMs);
    work().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

interface Held<C> {
  opening: Promise<C>;
  /** Rejects once the connection is lost, so that work waiting on it fails then rather than at its timeout. */
  lost: Promise<never>;
}

/**
 * A connection opened on first use and kept for the next publishes until it is lost, a publish times out on it or
 * close(); the next use after any of those opens a new one. A failed opening is not kept.
 */
export class KeptConnection<C> {
  #current: Held<C> | undefined;

  constructor(
    /** Names the service in errors: "RabbitMQ: timed out after 5s". */
    private readonly service: string,
    /**
     * Opens a connection within timeoutMs. It calls `lost` (with why, if known) once the connection breaks: the
     * connection is then closed and not used again, and the work running on it fails at once.
     */
    private readonly open: (timeoutMs: number, lost: (reason?: unknown) => void) => Promise<C>,
    /** Closes it; `force` (after a timeout) does not wait on anything the other side owes, which may never come. */
    private readonly shut: (connection: C, force: boolean) => Promise<void>,
  ) {}

  /**
   * Runs work on the connection, opened if need be, within timeoutMs. Libraries do not always fail what is pending
   * when a connection drops (nats.js leaves a flush waiting, mqtt.js a publish), so its loss fails the work here.
   */
  run<T>(timeoutMs: number, work: (connection: C) => Promise<T>): Promise<T> {
    let held: Held<C> | undefined;
    const attempt = (): Promise<T> => {
      held = this.#hold(timeoutMs);
      const { opening, lost } = held;
      return opening.then((connection) => Promise.race([work(connection), lost]));
    };
    return withTimeout(this.service, timeoutMs, attempt, () => void this.#shut(held!, true));
  }

  async close(): Promise<void> {
    if (this.#current !== undefined) await this.#shut(this.#current, false);
  }

  #hold(timeoutMs: number): Held<C> {
    if (this.#current !== undefined) return this.#current;
    let markLost: (reason: Error) => void = () => {};
    const lost = new Promise<never>((_resolve, reject) => {
      markLost = reject;
    });
    lost.catch(() => {});
    const held: Held<C> = {
      opening: this.open(timeoutMs, (reason) => {
        markLost(new Error(`${this.service}: ${reason === undefined ? 'the connection closed' : errorText(reason)}`, { cause: reason }));
        void this.#shut(held, true);
      }),
      lost,
    };
    held.opening.catch(() => this.#forget(held));
    this.#current = held;
    return held;
  }

  /** A connection that fails to close cleanly is gone all the same: its error tells nobody anything. */
  async #shut(held: Held<C>, force: boolean): Promise<void> {
    this.#forget(held);
    await held.opening.then((connection) => this.shut(connection, force)).catch(() => {});
  }

  #forget(held: Held<C>): void {
    if (this.#current === held) this.#current = undefined;
  }
}

/** An error's own words: an AggregateError (a host name tried on IPv6 and IPv4) is the list of its errors. */
export function errorText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(errorText).join('; ');
  return err instanceof Error ? err.message : String(err);
}

/** Why a connection could not be opened: "RabbitMQ refused the connection: ECONNREFUSED 127.0.0.1:5999". */
export function connectFailure(service: string, err: unknown): Error {
  const detail = errorText(err).replace(/^connect /, '').replaceAll('; connect ', '; ');
  const refused = detail.includes('ECONNREFUSED');
  return new Error(`${service} ${refused ? 'refused the connection' : 'could not connect'}: ${detail}`, { cause: err });
}
