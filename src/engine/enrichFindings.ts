import { loadOwnerLookup, type OwnerLookup } from '../enrichment/ownerLookup.js';
import type { AddressOwner, Finding, FindingSource } from '../finding.js';

let shared: Promise<OwnerLookup> | undefined;

/**
 * The owner lookup every analysis in this process shares: the AWS ranges (bundled, or the newer copy
 * `flowhawk update-data` stored) and the ASN and country databases, read once (about 1 s) rather than
 * per scan, which matters to the server's job worker and to the tests.
 */
export function sharedOwnerLookup(): Promise<OwnerLookup> {
  shared ??= loadOwnerLookup();
  return shared;
}

/**
 * Who holds the actor's and the target's address, and each source's: set only where the offline data
 * knows something (an internet address, or one in AWS's ranges), so findings between private hosts
 * stay as they were.
 */
export function enrichFinding<F extends Omit<Finding, 'evidence'>>(finding: F, lookup: OwnerLookup): F {
  const actorOwner = ownerOf(finding.actor, lookup);
  const targetOwner = finding.target ? ownerOf(finding.target, lookup) : undefined;
  const sources = finding.sources?.map((source): FindingSource => {
    const owner = ownerOf(source.actor, lookup);
    return owner ? { ...source, owner } : source;
  });
  return {
    ...finding,
    ...(actorOwner ? { actorOwner } : {}),
    ...(targetOwner ? { targetOwner } : {}),
    ...(sources ? { sources } : {}),
  };
}

function ownerOf(address: string, lookup: OwnerLookup): AddressOwner | undefined {
  const owner = lookup.describeOwner(address);
  return Object.keys(owner).length > 0 ? owner : undefined;
}
