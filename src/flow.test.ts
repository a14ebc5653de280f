import { describe, expect, it } from 'vitest';
import { FLOW_COLUMNS, type FlowColumnName } from './flow.js';

describe('FLOW_COLUMNS', () => {
  it('names each column once, and its names are checked at compile time', () => {
    const names = FLOW_COLUMNS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    const known: FlowColumnName = 'pkt_dst_aws_service';
    // @ts-expect-error not a flows column: `npm run typecheck` fails if FlowColumnName widens to string
    const unknown: FlowColumnName = 'pkt_dst_aws_servce';
    expect(names).toContain(known);
    expect(names).not.toContain(unknown);
  });
});
