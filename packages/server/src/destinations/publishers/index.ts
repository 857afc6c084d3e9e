import { MqttPublisher, type MqttConfig } from './mqtt.ts';
import { NatsPublisher, type NatsConfig } from './nats.ts';
import { PostgresPublisher, type PostgresConfig } from './postgres.ts';
import type { Publisher } from './publisher.ts';
import { RabbitMqPublisher, type RabbitMqConfig } from './rabbitmq.ts';
import { RedisPublisher, type RedisConfig } from './redis.ts';

export type { PublishedMessage, Publisher } from './publisher.ts';
export { validMqttTopic } from './mqtt.ts';
export { validNatsSubject } from './nats.ts';
export { POSTGRES_DESTINATION_TABLE_SQL, validTableName } from './postgres.ts';
export type { MqttConfig, NatsConfig, PostgresConfig, RabbitMqConfig, RedisConfig };

/** Each destination type's configuration, by the type's name. */
export interface DestinationConfigs {
  rabbitMq: RabbitMqConfig;
  postgres: PostgresConfig;
  nats: NatsConfig;
  mqtt: MqttConfig;
  redis: RedisConfig;
}

export type DestinationType = keyof DestinationConfigs;

const PUBLISHERS: { [T in DestinationType]: (config: DestinationConfigs[T]) => Publisher } = {
  rabbitMq: (config) => new RabbitMqPublisher(config),
  postgres: (config) => new PostgresPublisher(config),
  nats: (config) => new NatsPublisher(config),
  mqtt: (config) => new MqttPublisher(config),
  redis: (config) => new RedisPublisher(config),
};

/** The publisher for a destination; it connects on its first publish. */
export function createPublisher<T extends DestinationType>(type: T, config: DestinationConfigs[T]): Publisher {
  return PUBLISHERS[type](config);
}
