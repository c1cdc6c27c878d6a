import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProperties, PropertiesError } from '../src/properties.ts';

test('key=value, key: value and key value forms, surrounding whitespace trimmed from key and value start', () => {
  const p = parseProperties('a=1\nb: 2\nc 3\n  d   =   4\ne=\nf\n');
  assert.deepEqual(p, { a: '1', b: '2', c: '3', d: '4', e: '', f: '' });
});

test('# and ! comment lines and blank lines are skipped', () => {
  const p = parseProperties('# comment\n! also comment\n\n   \n  # indented comment\nbroker.id=1\n');
  assert.deepEqual(p, { 'broker.id': '1' });
});

test('a # after a value is part of the value (comments are whole lines only)', () => {
  assert.deepEqual(parseProperties('listeners=PLAINTEXT://:9092 # not a comment'), { listeners: 'PLAINTEXT://:9092 # not a comment' });
});

test('trailing backslash continues the line and drops leading whitespace of the next', () => {
  const p = parseProperties('log.dirs=/a,\\\n        /b,\\\n    /c\nnext=x\n');
  assert.deepEqual(p, { 'log.dirs': '/a,/b,/c', next: 'x' });
});

test('an even number of trailing backslashes is an escaped backslash, not a continuation', () => {
  assert.deepEqual(parseProperties('path=C:\\\\dir\\\\\nnext=1\n'), { path: 'C:\\dir\\', next: '1' });
});

test('a comment line ending in a backslash does not continue', () => {
  assert.deepEqual(parseProperties('# comment \\\nkey=v\n'), { key: 'v' });
});

test('continuation at end of file is ignored', () => {
  assert.deepEqual(parseProperties('key=v\\'), { key: 'v' });
});

test('escapes: \\t \\n \\r \\f, \\uXXXX, escaped separators in keys, and \\x = x', () => {
  const p = parseProperties('tab=a\\tb\nnl=a\\nb\ncr=\\r\nff=\\f\nuni=caf\\u00e9\nk\\=ey=v\nk\\:2=w\nk\\ 3=z\nother=\\q\\#\n');
  assert.deepEqual(p, { tab: 'a\tb', nl: 'a\nb', cr: '\r', ff: '\f', uni: 'café', 'k=ey': 'v', 'k:2': 'w', 'k 3': 'z', other: 'q#' });
});

test('malformed \\u escape is an error naming the line', () => {
  assert.throws(() => parseProperties('a=1\nb=\\u12G4\n'), (e: unknown) => e instanceof PropertiesError && e.line === 2 && /uxxxx/.test(e.message));
});

test('CRLF and CR line endings', () => {
  assert.deepEqual(parseProperties('a=1\r\nb=2\rc=3'), { a: '1', b: '2', c: '3' });
});

test('later duplicates win; only the first separator splits', () => {
  assert.deepEqual(parseProperties('a=1\na=2\nb=x=y:z\n'), { a: '2', b: 'x=y:z' });
});

test('a stock Kafka server.properties excerpt parses to its keys', () => {
  const text = [
    '############################# Server Basics #############################',
    '# The id of the broker. This must be set to a unique integer for each broker.',
    'broker.id=0',
    '#listeners=PLAINTEXT://:9092',
    'num.network.threads=3',
    'log.dirs=/tmp/kafka-logs',
    'zookeeper.connection.timeout.ms=18000',
  ].join('\n');
  assert.deepEqual(parseProperties(text), {
    'broker.id': '0', 'num.network.threads': '3', 'log.dirs': '/tmp/kafka-logs', 'zookeeper.connection.timeout.ms': '18000',
  });
});

test('__proto__ is an ordinary key', () => {
  const p = parseProperties('__proto__=x\n');
  assert.equal(Object.getOwnPropertyDescriptor(p, '__proto__')?.value, 'x');
});
