/**
 * Untrusted text in the markdown dialects of DingTalk and WeCom robots: a backslash before the
 * characters that open emphasis, code, links and tables; < > & as entities so no HTML tag
 * (`<font>`, `<script>`) forms; `://` broken so a bare URL is not auto-linked. Newlines collapse.
 */
export function escapeRobotMarkdown(value: string): string {
  return value
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]~|]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/:\/\//g, ':\u200b//');
}
