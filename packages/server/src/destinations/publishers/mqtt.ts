import { connect, type IConnackPacket, type MqttClient } from 'mqtt';
import { KeptConnection, connectFailure, errorText, type PublishedMessage, type Publisher } from './publisher.ts';

/** Herald's MQTT destination (MQTT 5). */
export interface MqttConfig {
  /** e.g. mqtt://127.0.0.1:1883 or mqtts://… */
  url: string;
  topic: string;
  /** Default 1: acknowledged once (PUBACK); 2: exactly once (PUBCOMP). */
  qos?: 1 | 2;
  username?: string;
  password?: string;
}

/** Whether a message can be published on the topic: not empty, no wildcard (+ #), no NUL. A broker disconnects a client that tries. */
export function validMqttTopic(topic: string): boolean {
  return /^[^+#\u0000]+$/.test(topic) && Buffer.byteLength(topic) <= 65_535;
}

/**
 * How many publishes may wait for their acknowledgement at once: the broker's Receive Maximum, which mqtt.js does not
 * keep to (past it Mosquitto, whose default is 20, fails QoS 2 publishes with "Quota exceeded").
 */
class InFlightWindow {
  readonly #waiting: (() => void)[] = [];
  constructor(private free: number) {}

  async take(): Promise<void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

interface Session {
  client: MqttClient;
  window: InFlightWindow;
}

async function openSession(config: MqttConfig, timeoutMs: number, lost: (reason?: unknown) => void): Promise<Session> {
  const { url, username, password } = config;
  // reconnectPeriod 0: mqtt.js would otherwise retry a refused connection forever, publishes waiting in its queue.
  const client = connect(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: timeoutMs, username, password });
  let connack: IConnackPacket;
  try {
    connack = await new Promise<IConnackPacket>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
      client.once('close', () => reject(new Error('the connection closed before the broker answered')));
    });
  } catch (err) {
    client.end(true);
    throw connectFailure('MQTT', err);
  }
  // 'error' comes before 'close' and says why; without a listener it would be thrown.
  let lastError: unknown;
  client.on('error', (err) => (lastError = err));
  client.on('close', () => lost(lastError));
  return { client, window: new InFlightWindow(connack.properties?.receiveMaximum ?? 65_535) };
}

/**
 * Publishes to an MQTT 5 broker, the webhook headers as user properties; a batch counts once every message was
 * acknowledged. The broker acknowledges a message no one subscribes to as well: MQTT keeps none for later.
 */
export class MqttPublisher implements Publisher {
  readonly #session = new KeptConnection<Session>(
    'MQTT',
    (timeoutMs, lost) => openSession(this.config, timeoutMs, lost),
    // Unforced, mqtt.js waits for the acknowledgements still owed: a stuck broker's never come.
    ({ client }, force) => client.endAsync(force),
  );

  constructor(private readonly config: MqttConfig) {}

  async publish(batch: readonly PublishedMessage[], timeoutMs: number): Promise<void> {
    if (batch.length === 0) return;
    const { topic } = this.config;
    if (!validMqttTopic(topic)) throw new Error(`MQTT: "${topic}" is not a topic a message can be published on (not empty, without the wildcards + and #)`);
    await this.#session.run(timeoutMs, (session) => this.#send(session, batch));
  }

  close(): Promise<void> {
    return this.#session.close();
  }

  async #send({ client, window }: Session, batch: readonly PublishedMessage[]): Promise<void> {
    const { topic } = this.config;
    const qos = this.config.qos ?? 1;
    const publishOne = async (message: PublishedMessage): Promise<void> => {
      await window.take();
      try {
        await client.publishAsync(topic, message.body, { qos, properties: { userProperties: message.headers, contentType: 'application/json' } });
      } finally {
        window.give();
      }
    };
    try {
      await Promise.all(batch.map(publishOne));
    } catch (err) {
      throw new Error(`MQTT: ${errorText(err)}`, { cause: err });
    }
  }
}
