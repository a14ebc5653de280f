import { createWriteStream, mkdirSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import bytes from 'bytes';
import type { FastifyRequest } from 'fastify';
import type { JobFile } from './apiTypes.js';
import { HttpError } from './httpError.js';
import type { Workspace } from './workspace.js';

export interface ReceivedUpload {
  name: string | undefined;
  files: JobFile[];
}

const NAME_LENGTH = 500;

/**
 * Streams a multipart upload to the job's directory, one file part at a time, never holding a whole
 * file in memory. Files are stored as numbers; the name the browser sent is kept as text for display
 * (and for the account and region an S3-style path carries), so no name can reach outside the job.
 */
export async function receiveUpload(
  request: FastifyRequest,
  workspace: Workspace,
  jobId: string,
  maxUploadBytes: number,
): Promise<ReceivedUpload> {
  mkdirSync(workspace.uploadDir(jobId), { recursive: true });
  const files: JobFile[] = [];
  let name: string | undefined;
  // preservePath: a folder upload's relative path (AWSLogs/ACCOUNT/vpcflowlogs/REGION/…) names the account and region
  const parts = request.parts({
    preservePath: true,
    limits: { fileSize: maxUploadBytes, fields: 20, fieldSize: 4096 },
  });
  for await (const part of parts) {
    if (part.type === 'field') {
      if (part.fieldname === 'name' && typeof part.value === 'string') name = displayName(part.value, '');
      continue;
    }
    const shown = displayName(part.filename, `file-${files.length + 1}`);
    let size = 0;
    part.file.on('data', (chunk: Buffer) => {
      size += chunk.length;
    });
    try {
      await pipeline(part.file, createWriteStream(workspace.uploadPath(jobId, files.length)));
    } catch (error) {
      if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE' || part.file.truncated) {
        throw tooLarge(shown, maxUploadBytes);
      }
      throw error;
    }
    if (part.file.truncated) throw tooLarge(shown, maxUploadBytes);
    files.push({ name: shown, size });
  }
  if (files.length === 0) {
    throw new HttpError(
      400,
      'the upload holds no file',
      'send the flow log files as multipart/form-data parts',
    );
  }
  return { name, files };
}

function tooLarge(name: string, cap: number): HttpError {
  return new HttpError(
    413,
    `"${name}" is larger than the server's upload cap of ${bytes.format(cap)}`,
    'split the file, or start the server with a larger --max-upload-size',
  );
}

/** A name to show: control characters dropped, Windows separators made '/', length bounded. */
export function displayName(raw: string, fallback: string): string {
  const clean = [...raw]
    .filter((c) => c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f)
    .join('')
    .replaceAll('\\', '/')
    .trim();
  return clean === '' ? fallback : clean.slice(0, NAME_LENGTH);
}
