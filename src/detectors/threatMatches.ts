import { THREAT_LIST_KINDS, type ThreatListKind } from '../threatintel/threatLists.js';

/**
 * SQL listing the internet addresses of the flows that a threat list of one of `kinds` names, one row
 * per (addr, list): addr, list, kind, entry (the narrowest matching entry) and addresses (how many that
 * entry covers). Reads `fh_threat_matches`, which the engine fills from the configured lists.
 *
 * Internal addresses never match: lists name internet hosts, and a list that carries the private
 * ranges (FireHOL level 1 lists the bogons) must not turn every internal connection into a finding.
 */
export function listedAddressesSql(kinds: readonly ThreatListKind[]): string {
  for (const kind of kinds) {
    if (!THREAT_LIST_KINDS.includes(kind)) throw new Error(`not a threat list kind: ${kind}`);
  }
  return `SELECT m.addr, m.list, m.kind, m.entry, m.addresses
    FROM fh_threat_matches m JOIN fh_address_facts f ON f.addr = m.addr AND f.internal = 0
    WHERE m.kind IN (${kinds.map((k) => `'${k}'`).join(', ')})`;
}
