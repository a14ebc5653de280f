import { FlowhawkError } from '../errors.js';
import { parseHeader, type VpcLayout } from '../readers/vpcText.js';

/** `--fields "version account-id …"`: the field order of input that has no header line. */
export function fieldsOption(value: string | undefined): VpcLayout | undefined {
  if (value === undefined) return undefined;
  const layout = parseHeader(value.replaceAll(',', ' ').replaceAll('${', '').replaceAll('}', ''));
  if (!layout) {
    throw new FlowhawkError(
      'USAGE',
      `--fields "${value}" names no known VPC flow log field`,
      'give the field names of your flow log format, space separated, e.g. "version account-id interface-id srcaddr …"',
    );
  }
  return layout;
}
