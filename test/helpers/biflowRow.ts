/** The columns a biflow reader test compares, in the order biflowRow() builds them. */
export const BIFLOW_COLUMNS =
  'line, src_addr, src_port, dst_addr, dst_port, protocol, packets, bytes, start_time, end_time, tcp_flags, action';

/** One expected canonical row of a Zeek/Argus record; action is always unknown for captures. */
export const biflowRow = (
  line: number,
  src: [string, number | null],
  dst: [string, number | null],
  protocol: number | null,
  packets: number,
  bytes: number,
  start: number,
  end: number,
  flags: number | null,
) => ({
  line,
  src_addr: src[0],
  src_port: src[1],
  dst_addr: dst[0],
  dst_port: dst[1],
  protocol,
  packets,
  bytes,
  start_time: start,
  end_time: end,
  tcp_flags: flags,
  action: null,
});
