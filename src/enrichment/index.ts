export type { AddressKey } from './addressKey.js';
export type { AwsIpRangesFile, CompactAwsRanges } from './awsCompact.js';
export { compactAwsRanges, parseAwsIpRanges } from './awsCompact.js';
export type { AwsOwner } from './awsRanges.js';
export { AWS_RANGES_FILE, defaultDataDir } from './dataDir.js';
export type { AddressOwner, EnrichmentSource, OwnerLookup, OwnerLookupOptions } from './ownerLookup.js';
export { loadOwnerLookup } from './ownerLookup.js';
export type { UpdateAwsRangesOptions, UpdateAwsRangesResult } from './updateData.js';
export { AWS_RANGES_URL, updateAwsRanges } from './updateData.js';
