import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/args.ts';
import { parseDateTime } from '../../src/commands/groups-reset.ts';

test('parseDateTime reads ISO 8601 with Z, ±HH:MM, ±HHMM and ±HH zones, and zone-less as local time', () => {
  const utc = Date.UTC(2024, 4, 1, 12, 0, 0);
  assert.equal(parseDateTime('2024-05-01T12:00:00Z'), utc);
  assert.equal(parseDateTime('2024-05-01T12:00Z'), utc);
  assert.equal(parseDateTime('2024-05-01T14:00:00.000+02:00'), utc);
  assert.equal(parseDateTime('2024-05-01T14:00:00+0200'), utc);
  assert.equal(parseDateTime('2024-05-01T07:00:00-05'), utc);
  assert.equal(parseDateTime('2024-05-01T12:00:00.250Z'), utc + 250);
  assert.equal(parseDateTime('2024-05-01T12:00:00'), new Date(2024, 4, 1, 12, 0, 0).getTime());
});

test('parseDateTime rejects anything else as a usage error', () => {
  for (const bad of ['yesterday', '2024-05-01', '1714564800000', '2024-13-01T00:00:00Z', '2024-05-01 12:00:00Z']) {
    assert.throws(() => parseDateTime(bad), UsageError, bad);
  }
});
