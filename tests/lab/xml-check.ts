/**
 * Minimal well-formedness check for the SVG/HTML we generate: tags balance (HTML void elements
 * excepted), attributes are quoted, no raw '<' or '&' outside tags/entities, no NaN/Infinity in
 * numeric attributes. Returns a list of problems (empty when fine).
 */
const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'wbr', 'col', 'area', 'base', 'source']);

export function xmlProblems(text: string, html = false): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let s = text.replace(/^<!doctype html>/i, '').replace(/^<\?xml[^>]*\?>/, '');
  // style content may contain '>' characters
  s = s.replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  const checkText = (t: string, at: number): void => {
    if (t.includes('<')) problems.push(`raw '<' in text near ${at}: ${JSON.stringify(t.slice(0, 60))}`);
    const amp = t.match(/&(?!(amp|lt|gt|quot|#39|#\d+|#x[0-9a-f]+);)/i);
    if (amp) problems.push(`raw '&' in text near ${at}`);
  };
  while ((m = tag.exec(s)) !== null) {
    checkText(s.slice(last, m.index), last);
    last = tag.lastIndex;
    const [, close, name, attrs, self] = m;
    for (const a of attrs.matchAll(/([\w:-]+)="([^"]*)"/g)) {
      if (/\b(NaN|Infinity|undefined)\b/.test(a[2])) problems.push(`bad value in ${name} ${a[1]}="${a[2]}"`);
    }
    const lname = name.toLowerCase();
    if (close) {
      const top = stack.pop();
      if (top !== lname) problems.push(`</${name}> closes <${top ?? 'nothing'}>`);
    } else if (!self && !(html && VOID.has(lname))) {
      stack.push(lname);
    }
  }
  checkText(s.slice(last), last);
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  return problems;
}
