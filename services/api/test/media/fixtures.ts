import pg from 'pg';
import sharp from 'sharp';
import type { TestApp } from '../helpers.ts';

/** A phone-like photo: noise and a gradient, rotated by EXIF orientation, with a GPS position in its EXIF. */
export async function photoWithGps(width = 1600, height = 1200): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const n = (x * 7919 + y * 104729) % 61;
      raw[i] = (x * 255) / width + n;
      raw[i + 1] = (y * 255) / height;
      raw[i + 2] = 128 + n;
    }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: 'ZhanqunPhone', Model: 'Test 1' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '26/1 53/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '101/1 43/1 0/1' },
    })
    .toBuffer();
}

/** A minimal valid PDF whose one page shows `text` (ASCII, Helvetica). */
export function pdfWith(text: string): Buffer {
  const stream = `BT /F1 18 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

export interface UploadResult {
  status: number;
  body: { media?: Record<string, any>; error?: { code: string; reason: string; field?: string } };
}

/** POST /media as a browser form would (multipart/form-data). */
export async function upload(
  t: TestApp,
  token: string | null,
  fields: Record<string, string>,
  file: { name: string; bytes: Buffer } | null,
): Promise<UploadResult> {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.set(k, v);
  if (file) fd.set('file', new Blob([new Uint8Array(file.bytes)]), file.name);
  const req = new Request('http://localhost/media', { method: 'POST', body: fd });
  const res = await t.app.inject({
    method: 'POST',
    url: '/media',
    headers: {
      'content-type': req.headers.get('content-type')!,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    payload: Buffer.from(await req.arrayBuffer()),
  });
  return { status: res.statusCode, body: res.json() };
}

/** A query as the superuser on the test database (fixtures and inspection only: bypasses RLS). */
export async function adminQuery<R = Record<string, unknown>>(t: TestApp, sql: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: t.db.adminUrl });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as R[];
  } finally {
    await c.end();
  }
}
