import { ErrorCode, NatsError, connect, headers as natsHeaders, type MsgHdrs, type NatsConnection } from 'nats';
import { KeptConnection, connectFailure, errorText, type PublishedMessage, type Publisher } from './publisher.ts';

/** Herald's NATS destination. */
export interface NatsConfig {
  /** e.g. nats://127.0.0.1:4222 */
  url: string;
  subject: string;
  /** Publish to the JetStream stream that listens on the subject and count a message once the stream stored it. */
  jetStream?: boolean;
}

/**
 * Whether a message can be published on the subject: dot-separated tokens, none empty, no whitespace, no wildcard.
 * nats.js does not check: "a b" goes out as subject "a" with reply-to "b".
 */
export function validNatsSubject(subject: string): boolean {
  return subject.split('.').every((token) => /^[^\s.*>]+$/.test(token));
}

/** The webhook headers as NATS headers, with the message id as Nats-Msg-Id so that JetStream drops a redelivery. */
function messageHeaders(message: PublishedMessage): MsgHdrs {
  const headers = natsHeaders();
  for (const [name, value] of Object.entries(message.headers)) headers.set(name, value);
  headers.set('Nats-Msg-Id', message.id);
  return headers;
}

/** NATS wraps a socket's error in its own (code CONNECTION_REFUSED, no address); the socket's says where. */
function innermost(err: unknown): unknown {
  return err instanceof NatsError && err.chainedError !== undefined ? err.chainedError : err;
}

/**
 * Publishes to NATS. Core NATS: a batch counts once a flush came back, i.e. the server has read every message (it
 * keeps none: subscribers that are not there miss them). JetStream: once the stream acknowledged each message.
 */
export class NatsPublisher implements Publisher {
  readonly #connection = new KeptConnection<NatsConnection>(
    'NATS',
    async (timeoutMs, lost) => {
      let connection: NatsConnection;
      try {
        // No reconnecting behind the publisher's back: a lost connection is dropped and the next publish opens anew.
        connection = await connect({ servers: this.config.url, reconnect: false, timeout: timeoutMs, name: 'herald' });
      } catch (err) {
        throw connectFailure('NATS', innermost(err));
      }
      void connection.closed().then((err) => lost(innermost(err)));
      return connection;
    },
    (connection) => connection.close(),
  );

  constructor(private readonly config: NatsConfig) {}

  async publish(batch: readonly PublishedMessage[], timeoutMs: number): Promise<void> {
    if (batch.length === 0) return;
    const { subject } = this.config;
    if (!validNatsSubject(subject)) throw new Error(`NATS: "${subject}" is not a subject a message can be published on (dot-separated tokens without spaces or wildcards)`);
    await this.#connection.run(timeoutMs, (connection) => this.#send(connection, batch, timeoutMs));
  }

  close(): Promise<void> {
    return this.#connection.close();
  }

  async #send(connection: NatsConnection, batch: readonly PublishedMessage[], timeoutMs: number): Promise<void> {
    const { subject } = this.config;
    const encoder = new TextEncoder();
    if (this.config.jetStream === true) {
      const jetStream = connection.jetstream();
      const acks = batch.map((message) =>
        jetStream.publish(subject, encoder.encode(message.body), { msgID: message.id, headers: messageHeaders(message), timeout: timeoutMs }),
      );
      const results = await Promise.allSettled(acks);
      const failure = results.find((result) => result.status === 'rejected');
      if (failure !== undefined) {
        // No stream on the subject means no responder to the publish request.
        if (failure.reason instanceof NatsError && failure.reason.code === ErrorCode.NoResponders) {
          throw new Error(`NATS JetStream: no stream listens on subject ${subject}`);
        }
        throw new Error(`NATS JetStream: ${errorText(innermost(failure.reason))}`, { cause: failure.reason });
      }
      return;
    }
    try {
      for (const message of batch) connection.publish(subject, encoder.encode(message.body), { headers: messageHeaders(message) });
      await connection.flush();
    } catch (err) {
      throw new Error(`NATS: ${errorText(innermost(err))}`, { cause: err });
    }
  }
}
