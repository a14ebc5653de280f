/**
 * What each optional field buys. The ingest summary lists the missing ones with these words, so a
 * user knows which detections run with less confidence before looking at any finding.
 */
export const FIELD_EFFECTS: Readonly<Record<string, string>> = {
  action:
    'without it, rejected traffic cannot be told from accepted: scans lose their failed-contact evidence and exposure checks cannot prove a service answered (action stays unknown, never assumed ACCEPT)',
  'tcp-flags':
    'without it, SYN-only probes and the side that opened a connection are inferred from ports and timing, at lower confidence',
  'flow-direction': 'without it, ingress and egress on an interface are inferred from addresses and ports',
  'pkt-srcaddr':
    'without it, traffic through NAT gateways, load balancers and transit gateways is attributed to the intermediate interface',
  'pkt-dstaddr':
    'without it, the original destination behind NAT gateways, load balancers and secondary addresses is unknown',
  'pkt-dst-aws-service':
    'without it, transfers to AWS services (S3, DynamoDB) cannot be told from exfiltration by name',
  'log-status': 'without it, NODATA/SKIPDATA log-health facts are not visible',
  'instance-id': 'without it, findings name interfaces, not instances',
  'vpc-id': 'without it, the VPC resolver address and VPC context are unknown',
  'traffic-path': 'without it, the egress path (internet gateway, NAT, endpoint) is unknown',
  'ecs-task-arn': 'without the ECS fields, findings on container workloads name hosts, not tasks',
};

/** Fields whose absence the summary calls out (the ones that change what detectors can say). */
export const NOTABLE_FIELDS = Object.keys(FIELD_EFFECTS);
