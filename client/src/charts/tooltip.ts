/**
 * Text for echarts tooltips. echarts draws the string a tooltip `formatter` function returns as HTML,
 * so a name a user typed (an audit item called `<img src=x onerror=…>`) would run as markup there.
 * Every tooltip formatter builds its string with `tooltipHtml`: each line is escaped with echarts' own
 * `format.encodeHTML` and only the line breaks between them are markup.
 */
import { format } from 'echarts/core';

/** One tooltip's HTML from lines of plain text (escaped; joined with `<br/>`). */
export function tooltipHtml(lines: readonly string[]): string {
  return lines.map((line) => format.encodeHTML(line)).join('<br/>');
}
