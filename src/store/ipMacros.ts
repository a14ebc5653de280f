/**
 * DuckDB macros that turn address text into a 128-bit number (IPv4 mapped into ::ffff:0:0/96).
 *
 * DuckDB's inet extension would do this, but it is not built in and extensions cannot be downloaded
 * on the machines flowhawk runs on, so the conversion is plain SQL. It only runs on distinct addresses
 * (see ADDRESS_COLUMNS), never per flow row.
 */

/** ::ffff:0.0.0.0 */
export const IPV4_MAPPED_BASE = 0xffff_0000_0000n;

export const IP_MACROS_SQL = [
  // A dotted quad: exactly four decimal octets 0-255.
  `CREATE OR REPLACE TEMP MACRO fh_ipv4(a) AS (
    CASE WHEN regexp_full_match(a, '[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}') THEN
      (${IPV4_MAPPED_BASE}::UHUGEINT
        + (TRY_CAST(split_part(a, '.', 1) AS UTINYINT)::UHUGEINT << 24)
        + (TRY_CAST(split_part(a, '.', 2) AS UTINYINT)::UHUGEINT << 16)
        + (TRY_CAST(split_part(a, '.', 3) AS UTINYINT)::UHUGEINT << 8)
        + TRY_CAST(split_part(a, '.', 4) AS UTINYINT)::UHUGEINT)
    END)`,
  // IPv6 groups after expanding '::' (an embedded dotted quad becomes two groups first).
  `CREATE OR REPLACE TEMP MACRO fh_ipv6_groups(a) AS (
    CASE
      WHEN length(a) - length(replace(a, '::', '')) > 2 THEN NULL
      WHEN contains(a, '::') THEN
        list_concat(
          CASE WHEN split_part(a, '::', 1) = '' THEN []::VARCHAR[] ELSE string_split(split_part(a, '::', 1), ':') END,
          list_transform(
            range(8 - (CASE WHEN split_part(a, '::', 1) = '' THEN 0 ELSE len(string_split(split_part(a, '::', 1), ':')) END)
                    - (CASE WHEN split_part(a, '::', 2) = '' THEN 0 ELSE len(string_split(split_part(a, '::', 2), ':')) END)),
            x -> '0'),
          CASE WHEN split_part(a, '::', 2) = '' THEN []::VARCHAR[] ELSE string_split(split_part(a, '::', 2), ':') END)
      ELSE string_split(a, ':')
    END)`,
  `CREATE OR REPLACE TEMP MACRO fh_ipv6_text(a) AS (
    CASE WHEN contains(a, '.') THEN
      CASE WHEN fh_ipv4(regexp_extract(a, '[0-9.]+$')) IS NOT NULL THEN
        regexp_replace(a, '[0-9.]+$', '')
          || printf('%x:%x', ((fh_ipv4(regexp_extract(a, '[0-9.]+$')) >> 16) & 65535)::UBIGINT,
                             (fh_ipv4(regexp_extract(a, '[0-9.]+$')) & 65535)::UBIGINT)
      END
    ELSE a END)`,
  `CREATE OR REPLACE TEMP MACRO fh_ipv6_from_groups(g) AS (
    CASE WHEN len(g) = 8 AND list_bool_and(list_transform(g, x -> regexp_full_match(x, '[0-9a-fA-F]{1,4}'))) THEN
      list_reduce(list_transform(g, x -> ('0x' || x)::UBIGINT::UHUGEINT), (acc, x) -> (acc << 16) + x)
    END)`,
  `CREATE OR REPLACE TEMP MACRO fh_ip(a) AS (
    CASE
      WHEN a IS NULL OR length(a) > 45 THEN NULL
      WHEN contains(a, ':') THEN fh_ipv6_from_groups(fh_ipv6_groups(fh_ipv6_text(a)))
      ELSE fh_ipv4(a)
    END)`,
];
