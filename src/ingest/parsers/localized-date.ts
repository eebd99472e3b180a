// Confluence writes page dates as localized text without a time: "Mar 04, 2026", "March 4, 2026",
// "七月 25, 2021", "7月 25, 2021".

const englishMonths = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const chineseMonths = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '十一', '十二'];

function monthIndex(name: string): number {
  const lower = name.toLowerCase();
  const english = englishMonths.indexOf(lower.slice(0, 3));
  if (english >= 0 && /^[a-z]+\.?$/.test(lower)) return english;
  const chinese = /^(十[一二]?|[一二三四五六七八九])月$/.exec(name);
  if (chinese) return chineseMonths.indexOf(chinese[1]!);
  const numeric = /^(\d{1,2})月$/.exec(name);
  if (numeric) return Number(numeric[1]) - 1;
  return -1;
}

/** The last "<month> <day>, <year>" date in `text`, as UTC midnight; null when there is none. */
export function parseLocalizedDate(text: string): Date | null {
  const matches = [...text.matchAll(/([A-Za-z]+\.?|十[一二]?月|[一二三四五六七八九]月|\d{1,2}月)\s*(\d{1,2}),\s*(\d{4})/g)];
  for (const match of matches.reverse()) {
    const month = monthIndex(match[1]!);
    const day = Number(match[2]);
    if (month < 0 || day < 1 || day > 31) continue;
    return new Date(Date.UTC(Number(match[3]), month, day));
  }
  return null;
}
