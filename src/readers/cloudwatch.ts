import type { DecodedStream } from './byteSource.js';
import type { RecordSink } from './recordSink.js';
import type { VpcLayout } from './vpcText.js';

export interface CloudWatchOptions {
  layout: VpcLayout;
  format: 'json' | 'cloudwatch-export';
}

/** CloudWatch Logs subscription payloads, CloudWatch exports and Firehose records. (In progress.) */
export async function readCloudWatch(_decoded: DecodedStream, sink: RecordSink, options: CloudWatchOptions) {
  sink.warn(`${options.format} input is not supported yet`);
}
