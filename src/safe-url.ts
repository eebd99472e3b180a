// Links shown to people come from documents and exports, so they are data: only http(s) URLs are
// kept (a "javascript:" or "data:" link in a Graph listing must never become a citation link).

/** The URL when it is an absolute http(s) URL, else null. */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}
