// The web chat's script and styles, served as files of their own (GET /assets/<name>) so that the
// pages' Content-Security-Policy allows no inline script or style. No build step: plain browser
// JavaScript. Answer text is inserted as text nodes, never as HTML, so document content cannot
// inject markup.

const webchatScript = `(() => {
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

  // Links come from documents: only http(s) ones and this server's own document pages are followed.
  const safeLink = (link) => (typeof link === 'string' && /^(https?:\\/\\/|documents\\/)/i.test(link) ? link : null);

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
    const links = new Map(reply.citations.map((c) => [c.n, safeLink(c.link)]));
    const children = [renderText(reply.answer, links)];
    // The three outcomes look different: a cited answer, the closest passages (weak evidence), nothing found.
    if (reply.confidence === 'closest') children.unshift(el('div', { className: 'badge' }, [/\\p{Script=Han}/u.test(reply.answer) ? '最接近的内容，并非直接答案' : 'Closest match, not a direct answer']));
    if (reply.citations.length > 0) {
      const heading = /\\p{Script=Han}/u.test(reply.answer) ? '来源' : 'Sources';
      children.push(el('h2', { className: 'sources-heading' }, [heading]));
      children.push(el('ol', { className: 'sources' }, reply.citations.map((c) =>
        el('li', { value: c.n }, [
          safeLink(c.link) ? el('a', { href: safeLink(c.link), target: '_blank', rel: 'noopener' }, [c.title]) : c.title,
          ' \\u2014 ' + c.source + '/' + c.path,
          // Where in the document, when it was last updated, and whether it may be out of date.
          ...(c.details ? [' \\u00b7 ', el('span', { className: c.stale ? 'details stale' : 'details' }, [c.details])] : []),
        ]))));
    }
    // Questions to ask next: a click asks one (only the latest answer's are offered).
    if (Array.isArray(reply.followUps) && reply.followUps.length > 0) {
      const chinese = /\\p{Script=Han}/u.test(reply.answer);
      children.push(el('h2', { className: 'follow-ups-heading' }, [chinese ? '接着可以问' : 'Ask next']));
      children.push(el('ul', { className: 'follow-ups' }, reply.followUps.map((q) => el('li', {}, [el('button', { type: 'button', className: 'prompt', onclick: () => ask(q) }, [q])]))));
    }
    addTurn('bot ' + (reply.confidence || 'answer'), children);
  }

  function ask(text) {
    input.value = text;
    form.requestSubmit();
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
          if (!live) {
            live = addTurn('bot streaming', [el('div', { className: 'text' }, [''])]);
            // Read out once whole, not piece by piece.
            live.setAttribute('aria-busy', 'true');
          }
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
    for (const offered of conversation.querySelectorAll('.follow-ups, .follow-ups-heading')) offered.remove();
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

  // Suggested questions while the conversation is empty: a click asks one.
  const prompts = document.getElementById('prompts');
  fetch('api/prompts', { headers: { accept: 'application/json' } })
    .then((response) => (response.ok ? response.json() : { prompts: [] }))
    .then(({ prompts: list }) => {
      if (!Array.isArray(list) || list.length === 0 || history.length > 0) return;
      prompts.replaceChildren(...list.slice(0, 4).map((prompt) => el('li', {}, [el('button', { type: 'button', className: 'prompt', onclick: () => ask(prompt.message) }, [prompt.title])])));
      prompts.hidden = false;
    })
    .catch(() => {});
  form.addEventListener('submit', () => { prompts.hidden = true; });

  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
`;

const webchatStyles = `:root { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", sans-serif; color: #1f2328; }
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
h2.sources-heading { font-size: .8rem; margin: .75rem 0 0; color: #59636e; }
ol.sources { margin: .25rem 0 0; padding-left: 1.25rem; font-size: .85rem; color: #59636e; overflow-wrap: anywhere; }
ol.sources a { font-weight: 600; }
.details.stale { color: #9a6700; font-weight: 600; }
#prompts[hidden] { display: none; }
#prompts, ul.follow-ups { list-style: none; padding: 0; margin: 0 0 1rem; display: flex; flex-wrap: wrap; gap: .5rem; }
ul.follow-ups { margin: .25rem 0 0; }
h2.follow-ups-heading { font-size: .8rem; margin: .75rem 0 0; color: #59636e; }
button.prompt { background: #fff; color: #0969da; border: 1px solid #d1d9e0; text-align: left; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
:focus-visible { outline: 2px solid #0969da; outline-offset: 2px; }
@media (max-width: 30rem) {
  main { padding: 1rem .75rem 9rem; }
  form div { padding: .5rem .75rem; }
  .turn { padding: .6rem .75rem; }
}
form { position: fixed; bottom: 0; left: 0; right: 0; background: #fff; border-top: 1px solid #d1d9e0; }
form div { max-width: 46rem; margin: 0 auto; padding: .75rem 1rem; display: flex; gap: .5rem; }
textarea { flex: 1; font: inherit; padding: .5rem; border-radius: .375rem; border: 1px solid #d1d9e0; resize: vertical; min-height: 2.5rem; }
button { font: inherit; padding: .5rem 1rem; border-radius: .375rem; border: 0; background: #1f883d; color: #fff; cursor: pointer; }
button:disabled { background: #94d3a2; cursor: wait; }
`;

const documentStyles = `body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1f2328}
p{white-space:pre-wrap}
h2{font-size:1rem;margin-top:1.5rem}
.meta{color:#59636e;font-size:.9rem}
`;

export interface WebchatAsset {
  contentType: string;
  body: string;
}

/** The files the pages load, by name. */
export const webchatAssets: ReadonlyMap<string, WebchatAsset> = new Map([
  ['webchat.js', { contentType: 'text/javascript; charset=utf-8', body: webchatScript }],
  ['webchat.css', { contentType: 'text/css; charset=utf-8', body: webchatStyles }],
  ['document.css', { contentType: 'text/css; charset=utf-8', body: documentStyles }],
]);
