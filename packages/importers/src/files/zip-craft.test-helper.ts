/**
 * Test helper: write zips with `yazl`, then patch their headers to make the archives a careless or hostile tool
 * would write — names yazl refuses (`../evil`, `/abs`), names without the UTF-8 flag (GBK from Chinese Windows),
 * and sizes that lie. Each crafted name is written with a placeholder of the same byte length, then replaced.
 */
import iconv from 'iconv-lite';
import yazl from 'yazl';

export interface CraftEntry {
  /** The name as it must end up in the archive (any bytes). */
  name: string | Buffer;
  data: Buffer | string;
  compress?: boolean;
  /** Clear the UTF-8 flag (general purpose bit 11), as old Chinese Windows zip tools do. */
  noUtf8Flag?: boolean;
  /** Write this uncompressed size into the central directory instead of the true one. */
  declaredSize?: number;
}

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;

export function gbk(text: string): Buffer {
  return iconv.encode(text, 'gbk');
}

const CRAFTED_AT = new Date('2016-03-02T10:00:00+08:00');

export async function craftZip(entries: CraftEntry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const placeholders: Buffer[] = [];
  entries.forEach((e, i) => {
    const name = typeof e.name === 'string' ? Buffer.from(e.name, 'utf8') : e.name;
    // A unique ASCII placeholder of the same length ("Q3_xxx…"), valid for yazl.
    const ph = Buffer.from(`Q${i}_`.padEnd(name.length, 'x'));
    if (ph.length !== name.length) throw new Error(`name too short to craft: ${name.toString()}`);
    placeholders.push(ph);
    // A fixed time: the same entries make the same bytes (yazl stamps "now" by default, so two zips of one content
    // crafted either side of a 2-second boundary had different SHA-256s — a test re-uploading "the same" export flaked).
    zip.addBuffer(Buffer.from(e.data), ph.toString('ascii'), { compress: e.compress ?? false, mtime: CRAFTED_AT });
  });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  const buf = Buffer.concat(chunks);
  entries.forEach((e, i) => {
    const ph = placeholders[i]!;
    const name = typeof e.name === 'string' ? Buffer.from(e.name, 'utf8') : e.name;
    let from = 0;
    for (;;) {
      const at = buf.indexOf(ph, from);
      if (at < 0) break;
      from = at + ph.length;
      if (at >= 30 && buf.readUInt32LE(at - 30) === LOCAL) {
        name.copy(buf, at);
        if (e.noUtf8Flag) buf.writeUInt16LE(buf.readUInt16LE(at - 30 + 6) & ~0x800, at - 30 + 6);
      } else if (at >= 46 && buf.readUInt32LE(at - 46) === CENTRAL) {
        name.copy(buf, at);
        const h = at - 46;
        if (e.noUtf8Flag) buf.writeUInt16LE(buf.readUInt16LE(h + 8) & ~0x800, h + 8);
        if (e.declaredSize !== undefined) buf.writeUInt32LE(e.declaredSize, h + 24);
      }
    }
  });
  return buf;
}
