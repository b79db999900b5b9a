/**
 * The markup of Xylen's HTML reports: one self-contained page (inline CSS, inline SVG, no script, no external
 * resource), dark like the studio (electric blue on black), numbers in tabular figures. Every numeric table cell
 * carries its exact value in `data-value` (the text shows it rounded) so that a reader — or a test — can get the
 * stored number back.
 */

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A table cell: text, or text with its exact value and a tone. */
export type Cell = string | number | null | { text: string; value?: number | string | null; tone?: 'positive' | 'negative' | 'warn' | 'muted'; title?: string; attrs?: Record<string, string> };

export interface Column {
  label: string;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
  title?: string;
}

/** A table. `rowAttrs` adds attributes to each row (e.g. `data-config` for tests and links). */
export function table(columns: readonly Column[], rows: readonly Cell[][], options: { caption?: string; className?: string; rowAttrs?: (i: number) => Record<string, string> } = {}): string {
  const head = columns.map((c) => `<th${c.numeric ? ' class="num"' : ''}${c.title ? ` title="${escapeHtml(c.title)}"` : ''}>${escapeHtml(c.label)}</th>`).join('');
  const body = rows
    .map((row, i) => {
      const attrs = options.rowAttrs ? attributes(options.rowAttrs(i)) : '';
      return `<tr${attrs}>${row.map((cell, j) => renderCell(cell, columns[j]?.numeric === true)).join('')}</tr>`;
    })
    .join('\n');
  const caption = options.caption ? `<caption>${escapeHtml(options.caption)}</caption>` : '';
  return `<div class="table-wrap"><table${options.className ? ` class="${options.className}"` : ''}>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function renderCell(cell: Cell, numeric: boolean): string {
  if (cell === null || typeof cell !== 'object') {
    const text = cell === null ? '' : String(cell);
    return `<td${numeric ? ' class="num"' : ''}>${escapeHtml(text)}</td>`;
  }
  const classes = [numeric ? 'num' : '', cell.tone ?? ''].filter(Boolean).join(' ');
  const attrs: Record<string, string> = { ...(cell.attrs ?? {}) };
  if (cell.value !== undefined && cell.value !== null) attrs['data-value'] = String(cell.value);
  if (cell.title) attrs['title'] = cell.title;
  return `<td${classes ? ` class="${classes}"` : ''}${attributes(attrs)}>${escapeHtml(cell.text)}</td>`;
}

function attributes(attrs: Record<string, string>): string {
  return Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeHtml(v)}"`)
    .join('');
}

/** Tone of a signed number: green above zero, red below. */
export function toneOf(value: number | null | undefined): 'positive' | 'negative' | undefined {
  if (value == null || value === 0 || !Number.isFinite(value)) return undefined;
  return value > 0 ? 'positive' : 'negative';
}

/** Headline figures as cards. */
export function cards(items: readonly { label: string; text: string; value?: number | null; tone?: string; metric?: string }[]): string {
  return `<div class="cards">${items
    .map(
      (c) =>
        `<div class="card"${c.metric ? ` data-metric="${escapeHtml(c.metric)}"` : ''}${c.value != null ? ` data-value="${c.value}"` : ''}><div class="label">${escapeHtml(c.label)}</div><div class="value${c.tone ? ` ${c.tone}` : ''}">${escapeHtml(c.text)}</div></div>`,
    )
    .join('')}</div>`;
}

/** A chart: its SVG (from renderPlot), a caption that says what is drawn and how it was computed. */
export function figure(id: string, svg: string, caption: string): string {
  return `<figure class="chart" id="${escapeHtml(id)}">${svg}<figcaption>${caption}</figcaption></figure>`;
}

/** A section with a heading; `body` is markup. */
export function section(id: string, title: string, body: string, intro?: string): string {
  return `<section class="panel" id="${escapeHtml(id)}"><h2>${escapeHtml(title)}</h2>${intro ? `<p class="intro">${intro}</p>` : ''}${body}</section>`;
}

export function paragraph(markup: string, className?: string): string {
  return `<p${className ? ` class="${className}"` : ''}>${markup}</p>`;
}

export function warning(text: string): string {
  return `<div class="warning" role="alert"><strong>Warning:</strong> ${escapeHtml(text)}</div>`;
}

export function preformatted(text: string, className = 'mono'): string {
  return `<pre class="${className}">${escapeHtml(text)}</pre>`;
}

export function details(summary: string, body: string): string {
  return `<details><summary>${escapeHtml(summary)}</summary>${body}</details>`;
}

export interface PageOptions {
  /** The document title and the page heading. */
  title: string;
  /** One line under the heading (markup). */
  subtitle: string;
  sections: readonly string[];
  /** The footer line (markup): what made the file, and when. */
  footer: string;
  /** `run`, `sweep` or `walkforward`, on <body data-report>. */
  kind: string;
  id: string;
}

/** The whole page. */
export function page(options: PageOptions): string {
  const nav = options.sections
    .map((s) => /<section class="panel" id="([^"]+)"><h2>([^<]+)<\/h2>/.exec(s))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `<a href="#${m[1]}">${m[2]}</a>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="xylen report">
<title>${escapeHtml(options.title)}</title>
<style>${STYLE}</style>
</head>
<body data-report="${escapeHtml(options.kind)}" data-id="${escapeHtml(options.id)}">
<header><h1>${escapeHtml(options.title)}</h1><p class="subtitle">${options.subtitle}</p><nav>${nav}</nav></header>
<main>
${options.sections.join('\n')}
</main>
<footer>${options.footer}</footer>
</body>
</html>
`;
}

// The studio's palette (studio/src/app.css): electric blue on black. Plot's own inline styles are :where() rules,
// so these win without !important.
const STYLE = `
:root { color-scheme: dark; --bg: #03050a; --panel: #0a0f1c; --panel-2: #0f1628; --border: #1c2a4a; --text: #dce6ff; --muted: #8393b8;
  --blue: #2e9bff; --blue-bright: #5cc8ff; --positive: #3ddc97; --negative: #ff5c7a; --warn: #ffb020;
  --mono: ui-monospace, 'JetBrains Mono', 'SFMono-Regular', Menlo, Consolas, monospace;
  font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; background: var(--bg); color: var(--text); }
* { box-sizing: border-box; }
body { margin: 0; background: radial-gradient(1200px 500px at 10% -10%, #08204a55, transparent), var(--bg); font-variant-numeric: tabular-nums; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 1.2rem; }
header { padding-top: 1.6rem; }
h1 { font-size: 1.45rem; font-weight: 600; margin: 0 0 0.3rem; }
h2 { font-size: 1.1rem; font-weight: 600; color: var(--blue-bright); margin: 0 0 0.6rem; }
h3 { font-size: 0.85rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; margin: 1rem 0 0.4rem; }
.subtitle { color: var(--muted); margin: 0 0 0.8rem; }
nav { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; margin-bottom: 1rem; font-size: 0.88rem; }
a { color: var(--blue-bright); text-decoration: none; }
a:hover { text-decoration: underline; }
.panel { background: var(--panel); border: 1px solid var(--border); border-radius: 10px; padding: 1rem 1.1rem; margin-bottom: 1rem; }
.intro, figcaption, .note { color: var(--muted); font-size: 0.86rem; }
figure { margin: 0.6rem 0 1rem; }
figure svg { max-width: 100%; height: auto; overflow: visible; --plot-background: var(--panel); }
figcaption { margin-top: 0.3rem; }
.table-wrap { overflow-x: auto; border: 1px solid var(--border); border-radius: 8px; margin: 0.4rem 0 0.8rem; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; font-size: 0.9rem; }
caption { text-align: left; color: var(--muted); font-size: 0.82rem; padding: 0.3rem 0.6rem; }
th, td { padding: 0.32rem 0.6rem; border-bottom: 1px solid var(--border); text-align: left; vertical-align: top; }
th { background: var(--panel-2); color: var(--muted); font-weight: 500; font-size: 0.8rem; white-space: nowrap; }
tbody tr:hover { background: #0d1a33; }
tbody tr:last-child td { border-bottom: 0; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.positive { color: var(--positive); }
.negative { color: var(--negative); }
.warn { color: var(--warn); }
.muted { color: var(--muted); }
.cards { display: grid; gap: 0.6rem; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); margin-bottom: 0.8rem; }
.card { background: var(--panel-2); border: 1px solid var(--border); border-radius: 8px; padding: 0.55rem 0.7rem; }
.card .label { color: var(--muted); font-size: 0.78rem; }
.card .value { font-size: 1.15rem; }
.warning { border: 1px solid #7a5a10; background: #2a1d05; color: var(--warn); border-radius: 8px; padding: 0.6rem 0.8rem; margin: 0.4rem 0 0.8rem; }
pre, .mono { font-family: var(--mono); font-size: 0.82rem; }
pre { background: var(--panel-2); border: 1px solid var(--border); border-radius: 8px; padding: 0.7rem 0.9rem; overflow-x: auto; }
details > summary { cursor: pointer; color: var(--muted); font-size: 0.86rem; margin: 0.4rem 0; }
.grid2 { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(min(100%, 30rem), 1fr)); }
footer { color: var(--muted); font-size: 0.8rem; padding-bottom: 2rem; }
@media print { body { background: #03050a; -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
`;
