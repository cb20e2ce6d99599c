/**
 * Snapshot serializer: replaces 64-hex asset hashes (S3 keys of Lambda code, asset parameters)
 * with a placeholder, so a snapshot changes when the template changes, not when a dependency's
 * bundled code does.
 */
const ASSET_HASH = /[0-9a-f]{64}/g;
const PLACEHOLDER = '[ASSET_HASH]';

module.exports = {
  test: (value: unknown) => typeof value === 'string' && /[0-9a-f]{64}/.test(value),
  serialize: (value: string) => JSON.stringify(value.replace(ASSET_HASH, PLACEHOLDER)),
};
