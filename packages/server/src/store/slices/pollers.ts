/**
 * Where each named consumer of a polling destination has read to (Svix's server-managed consumer iterators): an
 * iterator, kept until the consumer reads on or seeks, gone with its destination.
 */
export interface PollerStore {
  /** The consumer's position; undefined when it never read. */
  getConsumerPosition(destinationId: string, consumerId: string): Promise<string | undefined>;
  setConsumerPosition(destinationId: string, consumerId: string, iterator: string, now: number): Promise<void>;
}
