import { writeHashed } from '@zhanqun/adapters';
import { AppError } from '@zhanqun/core';
import type { FastifyRequest } from 'fastify';

export interface ReceivedFile {
  path: string;
  name: string;
  size: number;
  sha256: string;
}

/**
 * Reads a multipart/form-data request with one file (the part named `file`) and a few text fields: the file
 * streams to `tmp` while it is hashed and counted — never whole in memory (issue 8); other parts are drained and
 * dropped. Past the size limit @fastify/multipart throws FST_REQ_FILE_TOO_LARGE, which the caller answers 413.
 * The caller removes `tmp`.
 */
export async function receiveOneFile(
  req: FastifyRequest,
  tmp: string,
  opts: { fields: ReadonlySet<string>; limits?: { fileSize?: number; files?: number } },
): Promise<{ fields: Record<string, string>; file: ReceivedFile }> {
  const fields: Record<string, string> = {};
  let file: ReceivedFile | null = null;
  for await (const part of req.parts(opts.limits ? { limits: opts.limits } : undefined)) {
    if (part.type === 'field') {
      if (opts.fields.has(part.fieldname)) fields[part.fieldname] = String(part.value);
      continue;
    }
    if (part.fieldname !== 'file' || file) {
      part.file.resume();
      continue;
    }
    file = { path: tmp, name: part.filename, ...(await writeHashed(part.file, tmp)) };
  }
  if (!file) throw new AppError('INVALID_INPUT', 'The part named "file" is missing', { field: 'file' });
  return { fields, file };
}
