import { readFile } from 'node:fs/promises';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/**
 * Plain text of a PDF (`unpdf`, pdf.js without a DOM) or a DOCX (`mammoth`). Runs in the worker, never in the
 * API, so a large document cannot stall requests. Other types have no extractable text here (null).
 */
export async function extractText(path: string, mediaType: string): Promise<string | null> {
  if (mediaType === 'application/pdf') {
    const { extractText: pdfText, getDocumentProxy } = await import('unpdf');
    const pdf = await getDocumentProxy(new Uint8Array(await readFile(path)));
    const { text } = await pdfText(pdf, { mergePages: true });
    await pdf.cleanup();
    return text;
  }
  if (mediaType === DOCX) {
    const mammoth = await import('mammoth');
    const { value } = await mammoth.extractRawText({ path });
    return value;
  }
  if (mediaType === 'text/plain' || mediaType === 'text/csv') return (await readFile(path, 'utf8')).slice(0, 1_000_000);
  return null;
}
