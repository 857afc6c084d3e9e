import { Redis } from 'ioredis';
import { KeptConnection, connectFailure, errorText, type PublishedMessage, type Publisher } from './publisher.ts';

/** Herald's Redis destination: a stream. */
export interface RedisConfig {
  /** e.g. redis://127.0.0.1:6379/0 or rediss://… */
  url: string;
  stream: string;
  /** Trims the stream to about this many entries (MAXLEN ~) as each message is added. */
  maxLen?: number;
}

/** XADD's arguments for one message: the entry's fields are id, event-type, timestamp, headers (JSON) and payload. */
function xaddArguments(config: RedisConfig, message: PublishedMessage): string[] {
  const trim = config.maxLen === undefined ? [] : ['MAXLEN', '~', String(config.maxLen)];
  const fields = ['id', message.id, 'event-type', message.eventType, 'timestamp', String(message.timestamp), 'headers', JSON.stringify(message.headers), 'payload', message.body];
  return ['xadd', config.stream, ...trim, '*', ...fields];
}

/** Adds each batch to a Redis stream in one MULTI; a batch counts once every XADD returned its entry id. */
export class RedisPublisher implements Publisher {
  readonly #client = new KeptConnection<Redis>(
    'Redis',
    async (timeoutMs, lost) => {
      // No offline queue and no reconnecting: a command sent while disconnected fails at once rather than waiting for
      // a server that may never come back; a lost connection is dropped and the next publish opens anew.
      const client = new Redis(this.config.url, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: timeoutMs,
      });
      // connect() rejects with a bare "Connection is closed."; the 'error' event before it says why.
      let lastError: unknown;
      client.on('error', (err: unknown) => {
        lastError = err;
      });
      // connectTimeout covers the TCP connection only, not the ready check after it: a server that accepts and then
      // says nothing would hold connect() (and the socket) forever.
      const giveUp = setTimeout(() => client.disconnect(), timeoutMs);
      try {
        await client.connect();
      } catch (err) {
        client.disconnect();
        throw connectFailure('Redis', lastError ?? err);
      } finally {
        clearTimeout(giveUp);
      }
      client.on('close', () => lost(lastError));
      return client;
    },
    // Nothing is owed on close (every publish was answered or given up on), so no QUIT round trip to wait for.
    async (client) => client.disconnect(),
  );

  constructor(private readonly config: RedisConfig) {}

  async publish(batch: readonly PublishedMessage[], timeoutMs: number): Promise<void> {
    if (batch.length === 0) return;
    await this.#client.run(timeoutMs, (client) => this.#add(client, batch));
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  async #add(client: Redis, batch: readonly PublishedMessage[]): Promise<void> {
    let results: [Error | null, unknown][] | null;
    try {
      results = await client.multi(batch.map((message) => xaddArguments(this.config, message))).exec();
    } catch (err) {
      throw new Error(`Redis: ${errorText(err)}`, { cause: err });
    }
    if (results === null) throw new Error('Redis: the transaction was aborted');
    for (const [err, entryId] of results) {
      if (err !== null) throw new Error(`Redis: ${err.message}`, { cause: err });
      if (typeof entryId !== 'string') throw new Error(`Redis: XADD to ${this.config.stream} returned no entry id`);
    }
  }
}
