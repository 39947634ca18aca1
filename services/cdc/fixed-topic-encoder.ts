// Encodes messages of a topic with fixed schemas (fixed-schemas.ts): `<prefix>.<suffix>`, key
// and value in the Confluent wire format under the subject's ids.
import type avsc from 'avsc';
import { avroType } from './avro-schemas.js';
import type { KafkaMessage } from './change-encoder.js';
import { fixedSchemaText } from './fixed-schemas.js';
import type { FixedSubject } from './fixed-schemas.js';
import { fixedSchemaId } from './schema-registry.js';
import { encodeWireFormat } from './wire-format.js';

export class FixedTopicEncoder {
  readonly topic: string;
  private readonly keyType: avsc.Type;
  private readonly valueType: avsc.Type;

  constructor(
    topicPrefix: string,
    private readonly subject: FixedSubject,
  ) {
    this.topic = `${topicPrefix}.${subject.topicSuffix}`;
    this.keyType = avroType(JSON.parse(fixedSchemaText(subject.keyFile)));
    this.valueType = avroType(JSON.parse(fixedSchemaText(subject.valueFile)));
  }

  encode(key: Record<string, unknown>, value: Record<string, unknown>): KafkaMessage {
    return this.encodeTo(this.topic, key, value);
  }

  // For a subject with a topic per database: to one of them (fixed-schemas.ts, fixedTopics).
  encodeTo(topic: string, key: Record<string, unknown>, value: Record<string, unknown>): KafkaMessage {
    return {
      topic,
      key: encodeWireFormat(fixedSchemaId(this.subject.version, 'key'), this.keyType.toBuffer(key)),
      value: encodeWireFormat(fixedSchemaId(this.subject.version, 'value'), this.valueType.toBuffer(value)),
    };
  }
}
