import { createWriteStream, mkdirSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { formatByteSize } from '../byteSize.js';
import type { JobFile } from './apiTypes.js';
import { HttpError } from './httpError.js';
import type { Workspace } from './workspace.js';

export interface ReceivedUpload {
  name: string | undefined;
  files: JobFile[];
}

const NAME_LENGTH = 500;
/** Files in one upload: a day of an estate's S3 deliveries is thousands of 5-minute files. */
export const MAX_FILES_PER_UPLOAD = 100_000;

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
    limits: { fileSize: maxUploadBytes, fields: 20, fieldSize: 4096, parts: MAX_FILES_PER_UPLOAD + 20 },
  });
  try {
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.fieldname === 'name' && typeof part.value === 'string') name = displayName(part.value, '');
        continue;
      }
      files.push(
        await storePart(part, workspace.uploadPath(jobId, files.length), files.length, maxUploadBytes),
      );
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_PARTS_LIMIT') {
      throw new HttpError(
        413,
        `more than ${MAX_FILES_PER_UPLOAD.toLocaleString('en-US')} files in one upload`,
        'upload them as several jobs, or as fewer, larger files',
      );
    }
    throw error;
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

/** One file part to disk, counting its bytes; refused past the cap. */
async function storePart(part: MultipartFile, path: string, index: number, cap: number): Promise<JobFile> {
  const shown = displayName(part.filename, `file-${index + 1}`);
  let size = 0;
  part.file.on('data', (chunk: Buffer) => {
    size += chunk.length;
  });
  try {
    await pipeline(part.file, createWriteStream(path));
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE' || part.file.truncated) {
      throw tooLarge(shown, cap);
    }
    throw error;
  }
  if (part.file.truncated) throw tooLarge(shown, cap);
  return { name: shown, size };
}

function tooLarge(name: string, cap: number): HttpError {
  return new HttpError(
    413,
    `"${name}" is larger than the server's upload cap of ${formatByteSize(cap)}`,
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
