import type { S3ConnectOptions } from '../sources/s3Client.js';

/** Which buckets the server's jobs may read (its own AWS credentials do the reading), and how. */
export interface ServerS3 extends S3ConnectOptions {
  /** s3:// locations a job's source must lie within; empty: no S3 jobs */
  sources: string[];
}
