import type { SectionLocation } from '../../domain.js';
import { escapeHtml } from '../../escape-html.js';

// The local web chat: one page whose script and styles are files of their own (webchat-assets.ts).
export function webchatPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Groundwork</title>
<link rel="stylesheet" href="assets/webchat.css">
<script src="assets/webchat.js" defer></script>
</head>
<body>
<main>
  <h1>Groundwork</h1>
  <p class="hint">Ask about the company's documents in English or Chinese. Answers cite their sources; type <b>help</b> or <b>status</b> for more.</p>
  <ul id="prompts" aria-label="Suggested questions" hidden></ul>
  <section id="conversation" aria-live="polite" aria-label="Conversation"></section>
</main>
<form id="ask" aria-label="Ask a question">
  <div>
    <label for="question" class="visually-hidden">Your question</label>
    <textarea id="question" name="question" rows="1" placeholder="How many days of annual leave do I get?" required></textarea>
    <button id="send" type="submit">Ask</button>
  </div>
</form>
</body>
</html>
`;
}

/** A read-only view of an indexed document, for citations that have no url of their own. */
export function documentPage(
  document: { title: string; source: string; path: string; updatedAt: Date | null },
  chunks: Array<{ headingPath: string[]; text: string; location?: SectionLocation }>,
): string {
  let lastHeading = '';
  const body = chunks
    .map((chunk) => {
      const heading = chunk.headingPath.join(' › ');
      // The section's anchor as its id: a citation links to documents/<id>#<anchor>.
      const id = chunk.location?.anchor ? ` id="${escapeHtml(chunk.location.anchor)}"` : '';
      const headingHtml = heading !== lastHeading && heading !== '' ? `<h2${id}>${escapeHtml(heading)}</h2>` : '';
      lastHeading = heading;
      return `${headingHtml}<p>${escapeHtml(chunk.text)}</p>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(document.title)}</title>
<link rel="stylesheet" href="../assets/document.css"></head>
<body><h1>${escapeHtml(document.title)}</h1>
<p class="meta">${escapeHtml(`${document.source}/${document.path}`)}${document.updatedAt ? ` · updated ${document.updatedAt.toISOString().slice(0, 10)}` : ''}</p>
${body}
</body></html>`;
}
