import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ingested, ingestInMemory } from './helpers/ingestInMemory.js';

/**
 * Every record example of the AWS VPC User Guide ("Flow log record examples"), checked against the
 * values the documentation states for it.
 */
const DIR = join(import.meta.dirname, 'fixtures', 'aws-doc-examples');
const fixture = (name: string) => join(DIR, name);

let db: Ingested;
beforeAll(async () => {
  db = await ingestInMemory([DIR]);
});
afterAll(() => db.store.close());

const flowsOf = (file: string, columns = '*') =>
  db.rows(
    `SELECT ${columns} FROM flows JOIN ingested_files USING (file_id) WHERE path = '${fixture(file)}' ORDER BY line`,
  );

describe('AWS documentation examples', () => {
  it('reads every file of the directory and accounts for every line', () => {
    expect(db.summary.files).toBe(8);
    // README.md is walked past with a reason, not read as bad lines
    expect(db.summary.filesSkipped.map((s) => s.path)).toEqual([fixture('README.md')]);
    expect(db.summary.records).toBe(25);
    expect(db.summary.nodata).toBe(1);
    expect(db.summary.skipdata).toBe(1);
    expect(db.summary.headers).toBe(4);
    expect(db.summary.badLines).toBe(1);
  });

  it('accepted SSH and rejected RDP (default v2)', async () => {
    const rows = await flowsOf(
      'default-v2_accepted-rejected.log',
      'line, version, account_id, interface_id, src_addr, dst_addr, src_port, dst_port, protocol, packets, bytes, start_time, end_time, action',
    );
    expect(rows).toEqual([
      {
        line: 1,
        version: 2,
        account_id: '123456789010',
        interface_id: 'eni-1235b8ca123456789',
        src_addr: '172.31.16.139',
        dst_addr: '172.31.16.21',
        src_port: 20641,
        dst_port: 22,
        protocol: 6,
        packets: 20,
        bytes: 4249,
        start_time: 1418530010,
        end_time: 1418530070,
        action: 'ACCEPT',
      },
      expect.objectContaining({ line: 2, src_addr: '172.31.9.69', dst_port: 3389, action: 'REJECT' }),
    ]);
  });

  it('NODATA and SKIPDATA are log-health facts, not flows', async () => {
    expect(await flowsOf('default-v2_nodata-skipdata.log')).toEqual([]);
    const health = await db.rows(
      `SELECT line, interface_id, status, start_time, end_time FROM log_health ORDER BY line`,
    );
    expect(health).toEqual([
      {
        line: 1,
        interface_id: 'eni-1235b8ca123456789',
        status: 'NODATA',
        start_time: 1431280876,
        end_time: 1431280934,
      },
      {
        line: 2,
        interface_id: 'eni-11111111aaaaaaaaa',
        status: 'SKIPDATA',
        start_time: 1431280876,
        end_time: 1431280934,
      },
    ]);
  });

  it('ICMP allowed by the security group, response rejected by the network ACL', async () => {
    const rows = await flowsOf(
      'default-v2_sg-nacl-icmp-stateful.log',
      'src_addr, dst_addr, src_port, dst_port, protocol, action',
    );
    expect(rows).toEqual([
      {
        src_addr: '203.0.113.12',
        dst_addr: '172.31.16.139',
        src_port: 0,
        dst_port: 0,
        protocol: 1,
        action: 'ACCEPT',
      },
      {
        src_addr: '172.31.16.139',
        dst_addr: '203.0.113.12',
        src_port: 0,
        dst_port: 0,
        protocol: 1,
        action: 'REJECT',
      },
    ]);
  });

  it('IPv6 addresses, with numeric forms for CIDR matching', async () => {
    const rows = await flowsOf(
      'default-v2_ipv6.log',
      'src_addr, dst_addr, src_port, dst_port, packets, bytes',
    );
    expect(rows).toEqual([
      {
        src_addr: '2001:db8:1234:a100:8d6e:3477:df66:f105',
        dst_addr: '2001:db8:1234:a102:3304:8879:34cf:4071',
        src_port: 34892,
        dst_port: 22,
        packets: 54,
        bytes: 8855,
      },
    ]);
    const [address] = await db.store.query<{ ip: bigint; family: number }>(
      `SELECT ip, family FROM addresses WHERE addr = '2001:db8:1234:a100:8d6e:3477:df66:f105'`,
    );
    expect(address?.family).toBe(6);
    expect(address?.ip).toBe(0x20010db81234a1008d6e3477df66f105n);
  });

  it('TCP flag sequence (custom v3), including the record with two spaces', async () => {
    const rows = await flowsOf(
      'custom-v3_tcp-flag-sequence_with-header.log',
      'line, tcp_flags, src_port, dst_addr, pkt_src_addr, ip_type, vpc_id, subnet_id, instance_id',
    );
    expect(rows.map((r) => r.tcp_flags)).toEqual([2, 18, 2, 18, 1, 1, 3, 19]);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rows[7]).toEqual({
      line: 9,
      tcp_flags: 19,
      src_port: 5001,
      dst_addr: '52.213.180.42',
      pkt_src_addr: '10.0.0.62',
      ip_type: 'IPv4',
      vpc_id: 'vpc-abcdefab012345678',
      subnet_id: 'subnet-aaaaaaaa012345678',
      instance_id: 'i-01234567890123456',
    });
  });

  it('NAT gateway: packet-level addresses, "-" instance, comments stripped, no action assumed', async () => {
    const rows = await flowsOf(
      'custom_nat-gateway_with-header.log',
      'instance_id, interface_id, src_addr, dst_addr, pkt_src_addr, pkt_dst_addr, action, version',
    );
    expect(rows).toHaveLength(6);
    expect(rows[0]).toEqual({
      instance_id: null,
      interface_id: 'eni-1235b8ca123456789',
      src_addr: '10.0.1.5',
      dst_addr: '10.0.0.220',
      pkt_src_addr: '10.0.1.5',
      pkt_dst_addr: '203.0.113.5',
      action: null,
      version: null,
    });
    expect(rows[5]).toMatchObject({
      instance_id: 'i-01234567890123456',
      src_addr: '203.0.113.5',
      pkt_dst_addr: '10.0.1.5',
    });
  });

  it('transit gateway: the literal "..." line is reported, the four records read', async () => {
    const rows = await flowsOf(
      'custom-v3_transit-gateway-vpc_with-header.log',
      'line, interface_id, src_addr, pkt_src_addr, tcp_flags',
    );
    expect(rows).toEqual([
      {
        line: 2,
        interface_id: 'eni-33333333333333333',
        src_addr: '10.20.33.164',
        pkt_src_addr: '10.20.33.164',
        tcp_flags: 3,
      },
      {
        line: 4,
        interface_id: 'eni-33333333333333333',
        src_addr: '10.40.2.236',
        pkt_src_addr: '10.40.2.236',
        tcp_flags: 19,
      },
      {
        line: 5,
        interface_id: 'eni-11111111111111111',
        src_addr: '10.40.1.175',
        pkt_src_addr: '10.20.33.164',
        tcp_flags: 3,
      },
      {
        line: 6,
        interface_id: 'eni-22222222222222222',
        src_addr: '10.40.2.236',
        pkt_src_addr: '10.40.2.236',
        tcp_flags: 19,
      },
    ]);
    expect(db.summary.badLineExamples).toEqual([
      {
        file: fixture('custom-v3_transit-gateway-vpc_with-header.log'),
        line: 3,
        reason: '1 fields where the format has 17',
        excerpt: '...',
      },
    ]);
  });

  it('service name, traffic path and flow direction (custom v5)', async () => {
    const rows = await flowsOf(
      'custom-v5_service-traffic-path-flow-direction_with-header.log',
      'version, region, az_id, sublocation_type, pkt_src_aws_service, pkt_dst_aws_service, traffic_path, flow_direction, packets, bytes',
    );
    expect(rows).toEqual([
      {
        version: 5,
        region: 'ap-southeast-2',
        az_id: 'apse2-az3',
        sublocation_type: null,
        pkt_src_aws_service: 'S3',
        pkt_dst_aws_service: null,
        traffic_path: null,
        flow_direction: 'ingress',
        packets: 14,
        bytes: 15044,
      },
      {
        version: 5,
        region: 'ap-southeast-2',
        az_id: 'apse2-az3',
        sublocation_type: null,
        pkt_src_aws_service: null,
        pkt_dst_aws_service: 'S3',
        traffic_path: 8,
        flow_direction: 'egress',
        packets: 7,
        bytes: 471,
      },
    ]);
  });

  it('lists the fields present and what the missing ones cost', () => {
    expect(db.summary.fieldsPresent).toContain('tcp-flags');
    expect(db.summary.fieldsPresent).toContain('pkt-dst-aws-service');
    expect(db.summary.fieldsMissing.map((m) => m.field)).toEqual(['ecs-task-arn']);
  });
});
