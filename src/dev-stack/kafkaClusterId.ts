import { randomBytes } from 'node:crypto';

/**
 * A random KRaft cluster id in the format of `kafka-storage random-uuid` (16 random bytes, base64url
 * without padding), generated here to save one JVM start. Like Kafka's `Uuid.randomUuid()` it never
 * starts with `-`, which the command line tools would read as an option.
 */
export function kafkaClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-') && !/^A{21}[AB]$/.test(id)) return id;
  }
}
