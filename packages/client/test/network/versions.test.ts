import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateVersion } from '../../src/network/versions.ts';
import { ClientError } from '../../src/errors.ts';

const codec = { min: 0, max: 12 };

test('picks the highest version in client ∩ broker ∩ codec, ignoring nothing', () => {
  assert.equal(negotiateVersion(3, 'Metadata', codec, { min: 0, max: 8 }, { min: 1, max: 12 }), 8);
  assert.equal(negotiateVersion(3, 'Metadata', codec, { min: 0, max: 20 }, { min: 1, max: 12 }), 12);
  assert.equal(negotiateVersion(3, 'Metadata', { min: 0, max: 9 }, { min: 0, max: 20 }, { min: 1, max: 12 }), 9);
});

test('an empty intersection or an unadvertised key is UNSUPPORTED_VERSION', () => {
  const unsupported = (e: unknown): boolean => e instanceof ClientError && e.code === 'UNSUPPORTED_VERSION';
  assert.throws(() => negotiateVersion(3, 'Metadata', codec, { min: 13, max: 14 }, { min: 1, max: 12 }), unsupported);
  assert.throws(() => negotiateVersion(3, 'Metadata', codec, { min: 0, max: 0 }, { min: 1, max: 12 }), unsupported);
  assert.throws(() => negotiateVersion(3, 'Metadata', codec, undefined), unsupported);
});
