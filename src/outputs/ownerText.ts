import type { AddressOwner, Finding } from '../finding.js';
import type { EnrichmentSource } from '../report.js';

/**
 * Who holds an address, in a few words for people: "AWS S3 eu-central-1, AS16509 Amazon.com, Inc., US".
 * Empty when the offline data knows nothing about it.
 */
export function ownerText(owner: AddressOwner | undefined): string {
  if (!owner) return '';
  const parts: string[] = [];
  if (owner.aws)
    parts.push(`AWS ${owner.aws.service}${owner.aws.region === 'GLOBAL' ? '' : ` ${owner.aws.region}`}`);
  if (owner.asn !== undefined) parts.push(`AS${owner.asn}${owner.asOrg ? ` ${owner.asOrg}` : ''}`);
  else if (owner.asOrg) parts.push(owner.asOrg);
  if (owner.country) parts.push(owner.country);
  return parts.join(', ');
}

/** An address followed by its owner in brackets, when known. */
export function addressWithOwner(address: string, owner: AddressOwner | undefined): string {
  const text = ownerText(owner);
  return text ? `${address} (${text})` : address;
}

/**
 * One line per data set that named owners: its date (the age of a fact matters when ranges move)
 * and the credit its licence asks for, which has to travel with every report that shows its results.
 */
export function enrichmentLines(sources: readonly EnrichmentSource[] | undefined): string[] {
  return (sources ?? []).map(
    (s) => `${s.name}, data of ${s.date.slice(0, 10)} (${s.licence}): ${s.attribution}`,
  );
}

/** Whether any of the findings names an owner: only then does a report credit the data. */
export function namesOwners(findings: Iterable<Finding>): boolean {
  for (const f of findings) {
    if (f.actorOwner || f.targetOwner || f.sources?.some((s) => s.owner)) return true;
  }
  return false;
}
