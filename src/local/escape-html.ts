/** The five characters that can end a text or a quoted attribute value in HTML, and their references. */
const REFERENCES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * `text` as HTML text or as a quoted attribute value (`srcdoc="…"` included): whatever it
 * holds — markup, quotes, references — shows as the characters it is and ends nothing.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => REFERENCES[c]!);
}
