/**
 * DuckDB macros that turn address text into a 128-bit number (IPv4 mapped into ::ffff:0:0/96).
 *
 * DuckDB's inet extension would do this, but it is not built in and extensions cannot be downloaded
 * on the machines flowhawk runs on, so the conversion is plain SQL. It only runs on distinct addresses
 * (see ADDRESS_COLUMNS), never per flow row.
 */

import { IPV4_MAPPED_BASE } from '../net/addresses.js';

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
  // Each macro binds its argument once, through a one-element list_transform, because DuckDB
  // substitutes a macro's parameter textually: written plainly, every use of `a` copies the whole
  // argument expression, and fh_ip grew to a plan of 277 kB that took ~0.5 s to bind per statement.
  // IPv6 groups after expanding '::' (an embedded dotted quad becomes two groups first).
  `CREATE OR REPLACE TEMP MACRO fh_ipv6_groups(a) AS (list_transform([a], s -> list_transform(
    [[split_part(s, '::', 1), split_part(s, '::', 2)]], h -> CASE
      WHEN length(s) - length(replace(s, '::', '')) > 2 THEN NULL
      WHEN contains(s, '::') THEN
        list_concat(
          CASE WHEN h[1] = '' THEN []::VARCHAR[] ELSE string_split(h[1], ':') END,
          list_transform(
            range(8 - (CASE WHEN h[1] = '' THEN 0 ELSE len(string_split(h[1], ':')) END)
                    - (CASE WHEN h[2] = '' THEN 0 ELSE len(string_split(h[2], ':')) END)),
            x -> '0'),
          CASE WHEN h[2] = '' THEN []::VARCHAR[] ELSE string_split(h[2], ':') END)
      ELSE string_split(s, ':')
    END)[1])[1])`,
  `CREATE OR REPLACE TEMP MACRO fh_ipv6_text(a) AS (list_transform([a], s ->
    CASE WHEN contains(s, '.') THEN
      list_transform([fh_ipv4(regexp_extract(s, '[0-9.]+$'))], v ->
        CASE WHEN v IS NOT NULL THEN
          regexp_replace(s, '[0-9.]+$', '')
            || printf('%x:%x', ((v >> 16) & 65535)::UBIGINT, (v & 65535)::UBIGINT)
        END)[1]
    ELSE s END)[1])`,
  `CREATE OR REPLACE TEMP MACRO fh_ipv6_from_groups(g) AS (list_transform([g], x ->
    CASE WHEN len(x) = 8 AND list_bool_and(list_transform(x, y -> regexp_full_match(y, '[0-9a-fA-F]{1,4}'))) THEN
      list_reduce(list_transform(x, y -> ('0x' || y)::UBIGINT::UHUGEINT), (acc, y) -> (acc << 16) + y)
    END)[1])`,
  `CREATE OR REPLACE TEMP MACRO fh_ip(a) AS (list_transform([a], s ->
    CASE
      WHEN s IS NULL OR length(s) > 45 THEN NULL
      WHEN contains(s, ':') THEN fh_ipv6_from_groups(fh_ipv6_groups(fh_ipv6_text(s)))
      ELSE fh_ipv4(s)
    END)[1])`,
];
