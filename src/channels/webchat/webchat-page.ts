import { escapeHtml } from '../../escape-html.js';

// The local web chat: one page, no build step. Answer text is inserted as text nodes, never as
// HTML, so document content cannot inject markup.
export function webchatPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Groundwork</title>
<style>
  :root { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", sans-serif; color: #1f2328; }
  body { margin: 0; background: #f6f8fa; }
  main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1rem 8rem; }
  h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
  .hint { color: #59636e; margin: 0 0 1.5rem; font-size: .9rem; }
  .turn { background: #fff; border: 1px solid #d1d9e0; border-radius: .5rem; padding: .75rem 1rem; margin-bottom: .75rem; }
  .turn.user { background: #ddf4ff; border-color: #b6e3ff; }
  .turn.closest { border-left: 4px solid #d4a72c; }
  .turn.none { border-left: 4px solid #8c959f; }
  .badge { display: inline-block; font-size: .75rem; font-weight: 600; color: #7d4e00; background: #fff8c5; border-radius: 1rem; padding: .1rem .6rem; margin-bottom: .4rem; }
  .turn.error { border-left: 4px solid #cf222e; }
  .text { white-space: pre-wrap; line-height: 1.5; }
  .text a { text-decoration: none; font-size: .8em; vertical-align: super; }
  ol.sources { margin: .75rem 0 0; padding-left: 1.25rem; font-size: .85rem; color: #59636e; }
  ol.sources a { font-weight: 600; }
  form { position: fixed; bottom: 0; left: 0; right: 0; background: #fff; border-top: 1px solid #d1d9e0; }
  form div { max-width: 46rem; margin: 0 auto; padding: .75rem 1rem; display: flex; gap: .5rem; }
  textarea { flex: 1; font: inherit; padding: .5rem; border-radius: .375rem; border: 1px solid #d1d9e0; resize: vertical; min-height: 2.5rem; }
  button { font: inherit; padding: .5rem 1rem; border-radius: .375rem; border: 0; background: #1f883d; color: #fff; cursor: pointer; }
  button:disabled { background: #94d3a2; cursor: wait; }
</style>
</head>
<body>
<main>
  <h1>Groundwork</h1>
  <p class="hint">Ask about the company's documents in English or Chinese. Answers cite their sources; type <b>help</b> or <b>status</b> for more.</p>
  <section id="conversation" aria-live="polite"></section>
</main>
<form id="ask">
  <div>
    <textarea id="question" name="question" rows="1" placeholder="How many days of annual leave do I get?" required></textarea>
    <button id="send" type="submit">Ask</button>
  </div>
</form>
<script>
(() => {
  const conversation = document.getElementById('conversation');
  const form = document.getElementById('ask');
  const input = document.getElementById('question');
  const send = document.getElementById('send');
  const history = [];
  const remember = (role, text) => {
    history.push({ role, text: text.slice(0, 8000) });
    while (history.length > 6) history.shift();
  };

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children || []) node.append(child);
    return node;
  }

  function renderText(text, links) {
    const box = el('div', { className: 'text' });
    for (const part of text.split(/(\\[\\d+\\])/)) {
      const marker = /^\\[(\\d+)\\]$/.exec(part);
      const link = marker && links.get(Number(marker[1]));
      box.append(link ? el('a', { href: link, target: '_blank', rel: 'noopener', className: 'citation', title: 'Source ' + marker[1] }, [part]) : part);
    }
    return box;
  }

  function addTurn(className, children) {
    const turn = el('article', { className: 'turn ' + className }, children);
    conversation.append(turn);
    turn.scrollIntoView({ block: 'end' });
    return turn;
  }

  function renderReply(reply, question) {
    if (question) {
      remember('user', question);
      remember('assistant', reply.answer);
    }
    const links = new Map(reply.citations.map((c) => [c.n, c.link]));
    const children = [renderText(reply.answer, links)];
    // The three outcomes look different: a cited answer, the closest passages (weak evidence), nothing found.
    if (reply.confidence === 'closest') children.unshift(el('div', { className: 'badge' }, [/\\p{Script=Han}/u.test(reply.answer) ? '最接近的内容，并非直接答案' : 'Closest match, not a direct answer']));
    if (reply.citations.length > 0) {
      children.push(el('ol', { className: 'sources' }, reply.citations.map((c) =>
        el('li', { value: c.n }, [
          el('a', { href: c.link, target: '_blank', rel: 'noopener' }, [c.title]),
          ' \\u2014 ' + c.source + '/' + c.path + (c.updatedAt ? ', updated ' + c.updatedAt.slice(0, 10) : ''),
        ]))));
    }
    addTurn('bot ' + (reply.confidence || 'answer'), children);
  }

  // Server-sent events over fetch: "token" pieces build a live answer, "final" replaces it.
  async function readEvents(response, question) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let live = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\\n\\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block);
        const data = /^data: (.*)$/m.exec(block);
        if (!event || !data) continue;
        const payload = JSON.parse(data[1]);
        if (event[1] === 'token') {
          if (!live) live = addTurn('bot streaming', [el('div', { className: 'text' }, [''])]);
          live.firstChild.textContent += payload.text;
        } else {
          if (live) live.remove();
          if (event[1] === 'final') renderReply(payload, question);
          else addTurn('bot error', [el('div', { className: 'text' }, [payload.error.message])]);
        }
      }
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    addTurn('user', [el('div', { className: 'text' }, [text])]);
    input.value = '';
    send.disabled = true;
    try {
      const response = await fetch('api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream, application/json' },
        body: JSON.stringify({ text, history }),
      });
      if ((response.headers.get('content-type') || '').includes('text/event-stream')) {
        await readEvents(response, text);
      } else {
        const body = await response.json().catch(() => null);
        if (!response.ok) {
          const message = (body && body.error && body.error.message) || 'The server answered ' + response.status + '.';
          addTurn('bot error', [el('div', { className: 'text' }, [message])]);
        } else {
          renderReply(body, text);
        }
      }
    } catch (error) {
      addTurn('bot error', [el('div', { className: 'text' }, ['Could not reach the server: ' + error.message])]);
    } finally {
      send.disabled = false;
      input.focus();
    }
  });

  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
</script>
</body>
</html>
`;
}

/** A read-only view of an indexed document, for citations that have no url of their own. */
export function documentPage(document: { title: string; source: string; path: string; updatedAt: Date | null }, chunks: Array<{ headingPath: string[]; text: string }>): string {
  let lastHeading = '';
  const body = chunks
    .map((chunk) => {
      const heading = chunk.headingPath.join(' › ');
      const headingHtml = heading !== lastHeading && heading !== '' ? `<h2>${escapeHtml(heading)}</h2>` : '';
      lastHeading = heading;
      return `${headingHtml}<p>${escapeHtml(chunk.text)}</p>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(document.title)}</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1f2328}
p{white-space:pre-wrap}h2{font-size:1rem;margin-top:1.5rem}.meta{color:#59636e;font-size:.9rem}</style></head>
<body><h1>${escapeHtml(document.title)}</h1>
<p class="meta">${escapeHtml(`${document.source}/${document.path}`)}${document.updatedAt ? ` · updated ${document.updatedAt.toISOString().slice(0, 10)}` : ''}</p>
${body}
</body></html>`;
}
