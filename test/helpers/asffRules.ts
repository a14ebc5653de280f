import { isIP } from 'node:net';

/**
 * The constraints Security Hub's BatchImportFindings documents for a finding (AWS Security Hub user
 * guide: required top-level ASFF attributes, the types taxonomy, resource and network attributes),
 * as a checker for tests: each problem names the attribute path.
 */
const REQUIRED = [
  'SchemaVersion',
  'Id',
  'ProductArn',
  'GeneratorId',
  'AwsAccountId',
  'Types',
  'CreatedAt',
  'UpdatedAt',
  'Severity',
  'Title',
  'Description',
  'Resources',
] as const;
const NAMESPACES = [
  'Software and Configuration Checks',
  'TTPs',
  'Effects',
  'Unusual Behaviors',
  'Sensitive Data Identifications',
];
/** Categories the taxonomy defines per namespace (classifiers are the provider's own, but these). */
const CATEGORIES: Record<string, readonly string[]> = {
  'Software and Configuration Checks': [
    'Vulnerabilities',
    'AWS Security Best Practices',
    'Industry and Regulatory Standards',
  ],
  TTPs: [
    'Initial Access',
    'Execution',
    'Persistence',
    'Privilege Escalation',
    'Defense Evasion',
    'Credential Access',
    'Discovery',
    'Lateral Movement',
    'Collection',
    'Command and Control',
  ],
  Effects: [
    'Data Exposure',
    'Data Exfiltration',
    'Data Destruction',
    'Denial of Service',
    'Resource Consumption',
  ],
  'Unusual Behaviors': [
    'Application',
    'Network Flow',
    'IP address',
    'User',
    'VM',
    'Container',
    'Serverless',
    'Process',
    'Database',
    'Data',
  ],
  'Sensitive Data Identifications': ['PII', 'Passwords', 'Legal', 'Financial', 'Security', 'Business'],
};
const LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const RESOURCE_TYPES = ['AwsEc2Instance', 'AwsEc2NetworkInterface', 'Other'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function asffProblems(finding: Record<string, unknown>): string[] {
  const problems: string[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: the checker walks JSON of any shape
  const f = finding as Record<string, any>;
  for (const key of REQUIRED) if (f[key] === undefined) problems.push(`${key}: required`);
  if (!/^\d{12}$/.test(String(f.AwsAccountId))) problems.push('AwsAccountId: not 12 digits');
  for (const key of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt'])
    if (f[key] !== undefined && !ISO.test(String(f[key]))) problems.push(`${key}: not ISO 8601`);
  if (!LABELS.includes(f.Severity?.Label)) problems.push('Severity.Label: not one of the labels');
  if (!Array.isArray(f.Types) || f.Types.length === 0 || f.Types.length > 50)
    problems.push('Types: 1-50 entries');
  for (const [i, type] of (f.Types ?? []).entries()) {
    const [namespace, category, ...rest] = String(type).split('/');
    if (!NAMESPACES.includes(namespace ?? ''))
      problems.push(`Types[${i}]: namespace "${namespace}" not in the taxonomy`);
    else if (category !== undefined && !CATEGORIES[namespace as string]?.includes(category))
      problems.push(`Types[${i}]: category "${category}" not in the taxonomy`);
    if (rest.length > 1) problems.push(`Types[${i}]: more than three levels`);
  }
  if (String(f.Title ?? '').length > 256) problems.push('Title: over 256 characters');
  if (String(f.Description ?? '').length > 1024) problems.push('Description: over 1024 characters');
  const resources = Array.isArray(f.Resources) ? f.Resources : [];
  if (resources.length < 1 || resources.length > 32) problems.push('Resources: 1-32 entries');
  for (const [i, r] of resources.entries()) {
    if (!RESOURCE_TYPES.includes(r?.Type)) problems.push(`Resources[${i}].Type: "${r?.Type}"`);
    if (typeof r?.Id !== 'string' || r.Id.length === 0) problems.push(`Resources[${i}].Id: required`);
  }
  if (f.Network) {
    if (!['IN', 'OUT'].includes(f.Network.Direction)) problems.push('Network.Direction: IN or OUT');
    for (const [key, value] of Object.entries(f.Network as Record<string, unknown>)) {
      if (/IpV4$/.test(key) && isIP(String(value)) !== 4) problems.push(`Network.${key}: not IPv4`);
      if (/IpV6$/.test(key) && isIP(String(value)) !== 6) problems.push(`Network.${key}: not IPv6`);
      if (
        /Port$/.test(key) &&
        !(Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65535)
      )
        problems.push(`Network.${key}: not a port`);
    }
  }
  const fields = Object.entries((f.ProductFields ?? {}) as Record<string, unknown>);
  if (fields.length > 50) problems.push('ProductFields: over 50 entries');
  for (const [key, value] of fields)
    if (typeof value !== 'string') problems.push(`ProductFields.${key}: not a string`);
  if (Buffer.byteLength(JSON.stringify(f)) > 240 * 1024) problems.push('finding: over 240 KB');
  return problems;
}
