// The quoted history in an HTML mail, found by the markup the big clients wrap it in. Once the
// HTML is flattened to text those wrappers are gone and the history reads like the customer's own
// words, so they are taken out of the HTML first.
//
// A scan over the tags rather than a DOM: mail HTML is often unbalanced, and all this needs is
// "from this start tag to its matching end tag" or "from this start tag to the end".

/** Elements that hold quoted history and nothing else: removed with their content. */
function isQuoteContainer(name: string, attributes: string): boolean {
  const classes = attributeOf(attributes, 'class')?.split(/\s+/) ?? [];
  // Gmail: div.gmail_quote (also .gmail_quote_container) around the "On … wrote:" line and the
  // blockquote.gmail_quote; its signature sits in .gmail_signature after a "-- " prefix span.
  if (classes.some((c) => c === 'gmail_quote' || c === 'gmail_quote_container' || c.startsWith('gmail_signature'))) return true;
  // Thunderbird puts its "On … wrote:" line in div.moz-cite-prefix, before the blockquote.
  if (classes.includes('moz-cite-prefix')) return true;
  // Apple Mail, iOS Mail and Thunderbird quote in blockquote type="cite".
  return name === 'blockquote' && attributeOf(attributes, 'type')?.toLowerCase() === 'cite';
}

/**
 * Elements that start the quoted history, which then runs to the end of the mail: Outlook's
 * header block (From/Sent/To/Subject) is a sibling of the message it introduces, not its parent.
 * Replies of replies prefix the ids with 'x_'.
 */
function startsQuotedHistory(name: string, attributes: string): boolean {
  const id = attributeOf(attributes, 'id')?.replace(/^(x_)+/, '');
  if (id === 'appendonsend' || id === 'divRplyFwdMsg' || id === 'mail-editor-reference-message-container') return true;
  return name === 'div' && (attributeOf(attributes, 'class')?.split(/\s+/) ?? []).includes('OutlookMessageHeader');
}

// The attributes read, compiled once: a large mail has hundreds of thousands of tags.
const attributePattern = (name: string) => new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i');
const attributePatterns = { class: attributePattern('class'), id: attributePattern('id'), type: attributePattern('type') };

function attributeOf(attributes: string, name: keyof typeof attributePatterns): string | undefined {
  const match = attributePatterns[name].exec(attributes);
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

// Elements without an end tag: their start tag opens no level to close.
const voidElements = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);

// A start or end tag; quoted attribute values may hold '>'. Outside quotes a '<' ends the
// attempt, so a run of unclosed '<a' costs linear time, not quadratic.
const tagPattern = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:[^<>"']|"[^"]*"|'[^']*')*)>/g;

/** `html` without its comments, in one pass: a lazy regex would rescan the rest for each unclosed '<!--'. */
function withoutComments(html: string): string {
  let out = '';
  let from = 0;
  for (let open = html.indexOf('<!--'); open !== -1; open = html.indexOf('<!--', from)) {
    out += html.slice(from, open);
    const close = html.indexOf('-->', open + 4);
    if (close === -1) return out;
    from = close + 3;
  }
  return out + html.slice(from);
}

/** `html` without a trailing <hr>: Outlook draws one right before its header block. */
function withoutTrailingRule(html: string): string {
  const rule = html.toLowerCase().lastIndexOf('<hr');
  return rule !== -1 && /^<hr\b[^>]*>\s*$/i.test(html.slice(rule)) ? html.slice(0, rule) : html;
}

/** `html` without the quoted history the common clients mark up. */
export function withoutQuotedHtml(html: string): string {
  // Comments (Outlook's conditional ones among them) could hide or fake tags.
  const source = withoutComments(html);
  let kept = '';
  let keptUpTo = 0;
  // The container being dropped: its element name and how many of that name are open.
  let dropping: { name: string; depth: number } | null = null;
  for (const tag of source.matchAll(tagPattern)) {
    const closing = tag[1] === '/';
    const name = (tag[2] ?? '').toLowerCase();
    const attributes = tag[3] ?? '';
    const selfClosing = voidElements.has(name) || attributes.trimEnd().endsWith('/');
    if (dropping) {
      if (name !== dropping.name || selfClosing) continue;
      dropping.depth += closing ? -1 : 1;
      if (dropping.depth === 0) {
        dropping = null;
        keptUpTo = tag.index + tag[0].length;
      }
      continue;
    }
    if (closing) continue;
    if (startsQuotedHistory(name, attributes)) {
      return kept + withoutTrailingRule(source.slice(keptUpTo, tag.index));
    }
    if (isQuoteContainer(name, attributes) && !selfClosing) {
      kept += source.slice(keptUpTo, tag.index);
      dropping = { name, depth: 1 };
    }
  }
  // A container left open runs to the end of the mail.
  return dropping ? kept : kept + source.slice(keptUpTo);
}
