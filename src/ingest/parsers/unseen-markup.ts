// Text a reader cannot see is not indexed: it is a known way to plant instructions for a model.
// One definition for the HTML renderer and for the nesting cap, which drops such elements whole.

/** Elements whose content is never shown as text (scripts, navigation, forms…). */
export const unseenElements: ReadonlySet<string> = new Set(['script', 'style', 'noscript', 'template', 'svg', 'nav', 'head', 'iframe', 'button', 'form']);

const hiddenStyle =
  /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:\.0+)?(?:px|pt|em|rem|%)?\s*(?:;|$|!)|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$|!)|color\s*:\s*(?:white|#fff(?:fff)?|rgba?\(\s*255\s*,\s*255\s*,\s*255\s*(?:,\s*1(?:\.0+)?\s*)?\))\s*(?:;|$|!))/i;

/** Whether an element with these attributes is hidden from readers (hidden, aria-hidden, invisible styles). */
export function hiddenByAttributes(attributes: Record<string, string>): boolean {
  if ('hidden' in attributes || attributes['aria-hidden'] === 'true') return true;
  const style = attributes.style;
  if (!style || !hiddenStyle.test(style)) return false;
  // White text is visible on a coloured background set on the same element.
  return !(/color\s*:\s*(?:white|#fff|rgb)/i.test(style) && /background/i.test(style) && !/display|visibility|font-size|opacity/i.test(style));
}
