// Schemas shared by the serdes tests (and the bench): a 7-field event in each format.
export const eventAvro = {
  type: 'record', name: 'Event', namespace: 'com.tributary.avro',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'ts', type: 'long' },
    { name: 'user', type: 'string' },
    { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['VIEW', 'CLICK', 'BUY'] } },
    { name: 'amount', type: 'double' },
    { name: 'count', type: 'int' },
    { name: 'ok', type: 'boolean' },
  ],
};

export const eventJson = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'com.tributary.json.Event',
  type: 'object',
  properties: {
    id: { type: 'string' }, ts: { type: 'integer' }, user: { type: 'string' },
    kind: { enum: ['VIEW', 'CLICK', 'BUY'] }, amount: { type: 'number' }, count: { type: 'integer' }, ok: { type: 'boolean' },
  },
  required: ['id', 'ts', 'user', 'kind', 'amount', 'count', 'ok'],
  additionalProperties: false,
};

export const eventProto = `syntax = "proto3";
package com.tributary.proto;

message Event {
  string id = 1;
  int64 ts = 2;
  string user = 3;
  Kind kind = 4;
  double amount = 5;
  int32 count = 6;
  bool ok = 7;
  enum Kind { VIEW = 0; CLICK = 1; BUY = 2; }
}

message Envelope {
  string source = 1;
  message Inner {
    string note = 1;
    int32 n = 2;
  }
  Inner inner = 2;
}
`;

/** Event values: Avro/JSON form (enum as its symbol) and Protobuf form (enum as its number). */
export function event(i: number): { id: string; ts: number; user: string; kind: string; amount: number; count: number; ok: boolean } {
  return { id: `evt-${i}`, ts: 1_700_000_000_000 + i, user: `user-${i % 100}`, kind: ['VIEW', 'CLICK', 'BUY'][i % 3]!, amount: i * 1.5, count: i, ok: i % 2 === 0 };
}

export function protoEvent(i: number): Record<string, unknown> {
  const e = event(i);
  return { ...e, kind: i % 3 };
}
