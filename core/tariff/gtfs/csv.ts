// GTFS files are CSV (RFC 4180): a header row, comma-separated fields, double quotes around
// fields holding commas, quotes or line breaks, "" for a quote inside. A BOM may lead the file.

export interface Table {
  file: string;
  header: string[];
  /** Rows as field → value (missing trailing fields read as ''), with their line numbers. */
  rows: { line: number; get(field: string): string }[];
}

function parseRecords(text: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.length > 1 || fields[0] !== '') out.push({ line: start, fields });
      fields = [];
      field = '';
      line++;
      start = line;
    } else field += ch;
  }
  fields.push(field);
  if (fields.length > 1 || fields[0] !== '') out.push({ line: start, fields });
  return out;
}

export function parseCsv(file: string, text: string): Table {
  const [head, ...body] = parseRecords(text);
  const header = (head?.fields ?? []).map((h) => h.trim());
  const index = new Map(header.map((h, i) => [h, i]));
  return {
    file,
    header,
    rows: body.map(({ line, fields }) => ({
      line,
      get: (f: string) => {
        const i = index.get(f);
        return i === undefined ? '' : (fields[i] ?? '').trim();
      },
    })),
  };
}
