import amqp, { type ChannelModel, type ConfirmChannel, type Message } from 'amqplib';
import { KeptConnection, connectFailure, errorText, type PublishedMessage, type Publisher } from './publisher.ts';

/** Svix's RabbitMqConfigIn, plus the exchange to publish to. */
export interface RabbitMqConfig {
  uri: string;
  routingKey: string;
  /** Default '': the default exchange, where the routing key is a queue's name. */
  exchange?: string;
}

interface Link {
  connection: ChannelModel;
  channel: ConfirmChannel;
  /** Why the connection or channel failed: amqplib's own rejections then only say "channel closed". */
  error?: unknown;
}

/** Connects with a confirm channel; the channel's close (a channel error closes it) loses the whole link. */
async function openLink(uri: string, timeoutMs: number, lost: (reason?: unknown) => void): Promise<Link> {
  let connection: ChannelModel;
  try {
    connection = await amqp.connect(uri, { timeout: timeoutMs });
  } catch (err) {
    throw connectFailure('RabbitMQ', err);
  }
  const link: Pick<Link, 'error'> = {};
  // 'error' comes before 'close' and says why; without a listener it would be thrown.
  connection.on('error', (err: unknown) => (link.error = err));
  connection.on('close', () => lost(link.error));
  try {
    const channel = await connection.createConfirmChannel();
    channel.on('error', (err: unknown) => (link.error = err));
    channel.on('close', () => lost(link.error));
    return Object.assign(link, { connection, channel });
  } catch (err) {
    await connection.close().catch(() => {});
    throw new Error(`RabbitMQ: ${errorText(err)}`, { cause: err });
  }
}

/**
 * Publishes to RabbitMQ on a confirm channel: a batch counts once the broker confirmed every message, and as a failure
 * if any came back unroutable (published mandatory, so a message no queue would take is returned, not dropped).
 */
export class RabbitMqPublisher implements Publisher {
  readonly #link = new KeptConnection<Link>(
    'RabbitMQ',
    (timeoutMs, lost) => openLink(this.config.uri, timeoutMs, lost),
    (link) => link.connection.close(),
  );

  constructor(private readonly config: RabbitMqConfig) {}

  async publish(batch: readonly PublishedMessage[], timeoutMs: number): Promise<void> {
    if (batch.length === 0) return;
    await this.#link.run(timeoutMs, (link) => this.#send(link, batch));
  }

  close(): Promise<void> {
    return this.#link.close();
  }

  async #send(link: Link, batch: readonly PublishedMessage[]): Promise<void> {
    const { exchange = '', routingKey } = this.config;
    const { channel } = link;
    // Publishes of other batches may share the channel: a returned message is this batch's only if its id is one of these.
    const ids = new Set(batch.map((message) => message.id));
    let returned = false;
    // The broker sends basic.return before the confirm of the same message, so this fires before waitForConfirms settles.
    const onReturn = (message: Message): void => {
      if (ids.has(String(message.properties.messageId))) returned = true;
    };
    channel.on('return', onReturn);
    try {
      for (const message of batch) {
        channel.publish(exchange, routingKey, Buffer.from(message.body), {
          persistent: true,
          mandatory: true,
          contentType: 'application/json',
          messageId: message.id,
          type: message.eventType,
          timestamp: Math.floor(message.timestamp / 1000),
          headers: message.headers,
        });
      }
      await channel.waitForConfirms();
    } catch (err) {
      const why = link.error ?? err;
      // amqplib's word for a basic.nack, which the broker sends when it will not take a message (mostly a full queue).
      if (errorText(why) === 'message nacked') throw new Error('RabbitMQ refused the message (nack): a queue it routes to may be full and set to reject new messages', { cause: why });
      throw new Error(`RabbitMQ: ${errorText(why)}`, { cause: why });
    } finally {
      channel.off('return', onReturn);
    }
    if (returned) {
      const to = exchange === '' ? 'the default exchange' : `exchange "${exchange}"`;
      throw new Error(`RabbitMQ could not route the message: no queue is bound to routing key ${routingKey} on ${to}`);
    }
  }
}
