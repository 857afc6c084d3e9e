import { connectAsync, type MqttClient } from 'mqtt';
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
 * Publishes to an MQTT 5 broker, the webhook headers as user properties; a batch counts once every message was
 * acknowledged. The broker acknowledges a message no one subscribes to as well: MQTT keeps none for later.
 */
export class MqttPublisher implements Publisher {
  readonly #client = new KeptConnection<MqttClient>(
    'MQTT',
    async (timeoutMs, lost) => {
      const { url, username, password } = this.config;
      let client: MqttClient;
      try {
        // reconnectPeriod 0: mqtt.js would otherwise retry a refused connection forever and publishes would wait in
        // its queue; allowRetries false: a connection closed before CONNACK rejects instead of hanging.
        client = await connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: timeoutMs, username, password }, false);
      } catch (err) {
        throw connectFailure('MQTT', err);
      }
      // 'error' comes before 'close' and says why; without a listener it would be thrown.
      let lastError: unknown;
      client.on('error', (err) => (lastError = err));
      client.on('close', () => lost(lastError));
      return client;
    },
    // Unforced, mqtt.js waits for the acknowledgements still owed: a stuck broker's never come.
    (client, force) => client.endAsync(force),
  );

  constructor(private readonly config: MqttConfig) {}

  async publish(batch: readonly PublishedMessage[], timeoutMs: number): Promise<void> {
    if (batch.length === 0) return;
    const { topic } = this.config;
    if (!validMqttTopic(topic)) throw new Error(`MQTT: "${topic}" is not a topic a message can be published on (not empty, without the wildcards + and #)`);
    await this.#client.run(timeoutMs, (client) => this.#send(client, batch));
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  async #send(client: MqttClient, batch: readonly PublishedMessage[]): Promise<void> {
    const { topic } = this.config;
    const qos = this.config.qos ?? 1;
    try {
      await Promise.all(
        batch.map((message) =>
          client.publishAsync(topic, message.body, { qos, properties: { userProperties: message.headers, contentType: 'application/json' } }),
        ),
      );
    } catch (err) {
      throw new Error(`MQTT: ${errorText(err)}`, { cause: err });
    }
  }
}
