// Schema Registry client and Confluent wire-format serdes (Avro, JSON Schema, Protobuf).
export { SchemaRegistryClient, responseBytesMax, type SchemaRegistryClientOptions, type Schema, type SchemaType, type SchemaReference, type RegisteredSchema } from './registry-client.ts';
export { SchemaRegistryError, SerdeError, BAD_RESPONSE_ERROR_CODE, type SchemaRegistryErrorCode, type SerdeErrorCode } from './errors.ts';
export { AvroSerializer, JsonSerializer, ProtobufSerializer, DEFAULT_TOPICS_MAX, type SerializerOptions, type JsonSerializerOptions, type ProtobufSerializerOptions } from './serializer.ts';
export { AvroDeserializer, JsonDeserializer, ProtobufDeserializer, DEFAULT_WRITERS_MAX, type DeserializerOptions, type AvroDeserializerOptions, type JsonDeserializerOptions, type ProtobufDeserializerOptions } from './deserializer.ts';
export { subjectName, type SubjectNameStrategy, type SubjectNameContext } from './subject-name.ts';
export { MAGIC_BYTE, HEADER_BYTES, readSchemaId, encodeMessageIndexes, decodeMessageIndexes } from './wire.ts';
export { referenceDepthMax, type ResolvedReference } from './references.ts';
