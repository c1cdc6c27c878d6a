import { randomBytes } from 'node:crypto';

/** Source of random 16-byte ids; injected so tests can make ids deterministic. */
export type RandomBytes = (n: number) => Buffer;

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const ONE_UUID = 'AAAAAAAAAAAAAAAAAAAAAQ';

/**
 * A random version-4 UUID in Kafka's text form (22 chars, unpadded base64url). Like Kafka's
 * `Uuid.randomUuid`, never returns the reserved zero/one ids nor one whose text starts with '-'
 * (it would look like a command-line flag).
 */
export function randomKafkaUuid(random: RandomBytes = randomBytes): string {
  for (;;) {
    const b = Buffer.from(random(16));
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const text = b.toString('base64url');
    if (text !== ZERO_UUID && text !== ONE_UUID && !text.startsWith('-')) return text;
  }
}
