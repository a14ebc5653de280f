import { describe, expect, it } from 'vitest';
import { FlowBuilder, queryBuilt } from '../test/helpers/flowBuilder.js';
import { CONNECTION_COLUMNS } from './connection.js';

describe('CONNECTION_COLUMNS', () => {
  it('is exactly what the connections statement produces: names, order and types', async () => {
    const flows = new FlowBuilder().tcp({
      client: '10.0.0.1',
      server: '10.0.0.2',
      port: 22,
      at: 1_700_000_000,
    });
    const produced = await queryBuilt(flows, 'DESCRIBE fh_connections');
    expect(produced.map((c) => [c.column_name, c.column_type])).toEqual(
      CONNECTION_COLUMNS.map((c) => [c.name, c.duckdb]),
    );
  });
});
