/**
 * TCP flags of a bidirectional record, per direction, as VPC Flow Logs record them: VPC logs only FIN
 * (1), SYN (2), RST (4) and SYN-ACK (18), OR'd over the aggregation window, so the detectors that read
 * `tcp_flags` see the same vocabulary whichever tool captured the traffic. ACK, PSH and the rest are
 * left out on purpose: VPC never sets them, and a detector must not learn to rely on them.
 */

export const FIN = 1;
export const SYN = 2;
export const RST = 4;
export const SYN_ACK = 18;

export interface DirectionFlags {
  /** flags the originator (Zeek) or source (Argus) sent */
  orig: number;
  /** flags the responder (Zeek) or destination (Argus) sent */
  resp: number;
}

/**
 * Zeek's conn.log `history`: uppercase letters are the originator's packets, lowercase the
 * responder's. S a pure SYN, H a SYN-ACK, F a FIN, R a RST; the others (A ack, D data, C bad
 * checksum, G gap, T retransmission, W zero window, I inconsistent, Q multi-flag, ^ direction flipped)
 * carry nothing VPC would log. Normally only the responder answers SYN-ACK (h) and only the originator
 * opens (S), but a flipped or mid-stream connection can have either on either side.
 */
export function zeekHistoryFlags(history: string): DirectionFlags {
  let orig = 0;
  let resp = 0;
  for (const letter of history) {
    const bit = ZEEK_LETTER[letter.toLowerCase()];
    if (bit === undefined) continue;
    if (letter === letter.toLowerCase()) resp |= bit;
    else orig |= bit;
  }
  return { orig, resp };
}

const ZEEK_LETTER: Readonly<Record<string, number>> = { s: SYN, h: SYN_ACK, f: FIN, r: RST };

/** Argus TCP states: flags seen from the source, '_', flags seen from the destination (`S_RA`, `FSPA_FSPA`). */
const ARGUS_TCP_STATE = /^([A-Z]*)_([A-Z]*)$/;

/**
 * Argus `State` of a TCP record, `<source flags>_<destination flags>` with the letters F S R P A U E C
 * (FIN SYN RST PSH ACK URG ECE CWR) aggregated over the record. A destination that sent S and A answered
 * a SYN with a SYN-ACK (18); a source's S is its opening SYN (2), whatever else it sent. Undefined for
 * any other state (CON, INT, RST…), which Argus prints for TCP records it did not see the flags of.
 */
export function argusStateFlags(state: string): DirectionFlags | undefined {
  const match = ARGUS_TCP_STATE.exec(state);
  if (!match) return undefined;
  const [, source = '', destination = ''] = match;
  const common = (letters: string) => (letters.includes('F') ? FIN : 0) | (letters.includes('R') ? RST : 0);
  const orig = common(source) | (source.includes('S') ? SYN : 0);
  const answer = destination.includes('A') ? SYN_ACK : SYN;
  const resp = common(destination) | (destination.includes('S') ? answer : 0);
  return { orig, resp };
}
