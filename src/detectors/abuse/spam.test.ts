import { describe, expect, it } from 'vitest';
import {
  AWS_SERVICE_FIELDS,
  BARE_FIELDS,
  FlowBuilder,
  findingsOf,
  scanBuilt,
} from '../../../test/helpers/flowBuilder.js';
import spam from './spam.js';

const T = 1_700_000_000;
const BOT = '10.0.1.5';
const detectors = [spam];
/** every field the card uses, pkt-dst-aws-service included */
const full = { detectors, fields: AWS_SERVICE_FIELDS };

/**
 * `n` deliveries from `client` to distinct mail servers, every 10 s, every third refused (greylisting,
 * blocklists); and one S3 request, so the logs' pkt-dst-aws-service column holds a value.
 */
const deliveries = (n: number, client = BOT, port = 25) =>
  new FlowBuilder()
    .repeat(n, 10, T, (i, at) => ({
      client,
      server: `198.51.${100 + Math.floor(i / 250)}.${(i % 250) + 1}`,
      port,
      at,
      outcome: i % 3 === 0 ? 'refused' : 'open',
    }))
    .tcp({ client, server: '52.216.1.1', port: 443, at: T, awsService: 'S3' });

describe('spam', () => {
  it('finds our host delivering to 60 internet mail servers in 10 minutes, a third refused', async () => {
    const [finding, ...rest] = findingsOf(await scanBuilt(deliveries(60), full), 'spam');
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({
      actor: BOT,
      target: null,
      targetCount: 60,
      direction: 'outbound',
      severity: 'medium',
      confidence: 0.85,
      count: 60,
    });
    expect(finding?.explanation).toBe(
      `${BOT} opened SMTP connections (port 25) to 60 distinct internet mail servers, 60 of them within 60 minutes (threshold 20); 20 of 60 connections failed.`,
    );
    expect(finding?.evidence[0]).toMatchObject({ srcAddr: BOT, dstPort: 25 });
  });

  it('rates a spam run past 200 servers an hour high', async () => {
    const [finding] = findingsOf(await scanBuilt(deliveries(210), full), 'spam');
    expect(finding).toMatchObject({ actor: BOT, severity: 'high', targetCount: 210 });
  });

  it('stays silent just under the threshold: 19 mail servers', async () => {
    expect(findingsOf(await scanBuilt(deliveries(19), full), 'spam')).toHaveLength(0);
  });

  it('does not flag a mail relay sending 500 messages through two smarthosts, nor our MX receiving', async () => {
    const flows = new FlowBuilder()
      .repeat(500, 5, T, (i, at) => ({ client: BOT, server: `203.0.113.${1 + (i % 2)}`, port: 587, at }))
      .repeat(100, 5, T, (i, at) => ({ client: `198.51.100.${i + 1}`, server: '10.0.1.25', port: 25, at }));
    expect(findingsOf(await scanBuilt(flows, full), 'spam')).toHaveLength(0);
  });

  it('does not count Amazon SES endpoints as mail servers when the logs name the AWS service', async () => {
    const flows = new FlowBuilder().repeat(40, 30, T, (i, at) => ({
      client: BOT,
      server: `52.94.${i}.10`,
      port: 587,
      at,
      awsService: 'AMAZON',
    }));
    expect(findingsOf(await scanBuilt(flows, full), 'spam')).toHaveLength(0);
    // without pkt-dst-aws-service, AWS's published ranges name the same endpoints (38 of the 40 are in
    // them, under the threshold of 20 servers); the same pattern to 40 non-AWS servers is spam
    expect(findingsOf(await scanBuilt(flows, { detectors }), 'spam')).toHaveLength(0);
    const elsewhere = new FlowBuilder().repeat(40, 30, T, (i, at) => ({
      client: BOT,
      server: `198.51.100.${i + 1}`,
      port: 587,
      at,
    }));
    expect(findingsOf(await scanBuilt(elsewhere, { detectors }), 'spam')[0]).toMatchObject({ actor: BOT });
  });

  it('still finds the spambot without tcp-flags and action, with lower confidence and saying why', async () => {
    const [bare] = findingsOf(await scanBuilt(deliveries(60), { detectors, fields: BARE_FIELDS }), 'spam');
    expect(bare).toMatchObject({ actor: BOT, targetCount: 60 });
    expect(bare?.confidence).toBeLessThan(0.85);
    expect(bare?.limitations.join(' ')).toMatch(/tcp_flags.*action/s);
  });
});
