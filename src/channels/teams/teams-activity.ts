// What POST /api/messages accepts: a Bot Framework activity whose fields the bot and botbuilder
// read have the types they expect, and a serviceUrl the replies may go to. Anything else is a
// malformed request (400), decided before botbuilder sees it: it throws on a body without `type`,
// and fields of the wrong type fail deep inside the turn.
import { BlockList } from 'node:net';
import type { Activity } from 'botbuilder';
import { z } from 'zod';

const optionalText = z.string().nullish();
const account = z.looseObject({ id: optionalText, name: optionalText, aadObjectId: optionalText });
const activitySchema = z.looseObject({
  type: z.string().min(1),
  id: optionalText,
  channelId: optionalText,
  serviceUrl: z.string().min(1),
  conversation: z.looseObject({ id: z.string().min(1), tenantId: optionalText, conversationType: optionalText }),
  from: account.nullish(),
  recipient: account.nullish(),
  // Mention removal edits `text` and each mention's `text` as strings.
  text: z.string().optional(),
  name: optionalText,
  replyToId: optionalText,
  entities: z.array(z.looseObject({ type: z.string(), text: z.string().optional(), mentioned: account.optional() })).nullish(),
  attachments: z.array(z.looseObject({ contentType: optionalText })).nullish(),
  membersAdded: z.array(account).nullish(),
  membersRemoved: z.array(account).nullish(),
  channelData: z.looseObject({ tenant: z.looseObject({ id: optionalText }).nullish() }).nullish(),
  timestamp: optionalText,
  localTimestamp: optionalText,
  expiration: optionalText,
});

export type ParsedActivity = { activity: Activity } | { problem: string };

/** The request body as an activity, or what is wrong with it (in words safe to send back). */
export function parseActivity(body: unknown): ParsedActivity {
  const parsed = activitySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the body';
    return { problem: `Not a Bot Framework activity: ${field} is missing or has the wrong type.` };
  }
  const activity = parsed.data as unknown as Activity & Record<string, unknown>;
  let serviceUrl: URL;
  try {
    serviceUrl = new URL(activity.serviceUrl);
  } catch {
    return { problem: 'Not a Bot Framework activity: "serviceUrl" is not a URL.' };
  }
  if (serviceUrl.protocol !== 'https:' && serviceUrl.protocol !== 'http:') return { problem: 'Not a Bot Framework activity: "serviceUrl" is not an http(s) URL.' };
  // As botbuilder's own validateAndFixActivity does: timestamps become dates, the raw text is kept.
  for (const [field, raw] of [['timestamp', 'rawTimestamp'], ['localTimestamp', 'rawLocalTimestamp'], ['expiration', 'rawExpiration']] as const) {
    if (typeof activity[field] === 'string') {
      activity[raw] = activity[field];
      activity[field] = new Date(activity[field] as string);
    }
  }
  return { activity };
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** A serviceUrl on this machine: localhost, 127.0.0.0/8 or ::1 (IPv4-mapped forms included). */
export function isLoopbackUrl(url: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (hostname === 'localhost') return true;
  if (hostname.startsWith('[')) return loopback.check(hostname.slice(1, -1), 'ipv6');
  return /^\d+\.\d+\.\d+\.\d+$/.test(hostname) && loopback.check(hostname, 'ipv4');
}
