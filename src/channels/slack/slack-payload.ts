// Which Slack payloads go to Bolt. Bolt reads a body's fields without checking them (a body of
// `null`, an event that is a string, an action without a user all throw inside it), so only the
// kinds this app listens for are passed on, and only in the shape Bolt and the listeners read:
// Events API callbacks for messages, mentions and assistant threads (started, context changed),
// slash commands, and block actions. Other
// well-formed payloads are acknowledged and dropped; anything else is not a Slack payload.
import { z } from 'zod';

const text = z.string();
const optionalText = z.string().nullish();
// Bolt keeps a client pool per team and enterprise in a plain object, keyed by these ids: one
// named "__proto__" or "constructor" breaks it. Slack's ids are upper-case letters and digits.
const id = z.string().regex(/^[A-Z0-9]*$/);
const optionalId = id.nullish();

const messageEvent = z.looseObject({
  type: z.enum(['app_mention', 'message']),
  channel: text,
  ts: text,
  user: text.optional(),
  text: text.optional(),
  thread_ts: text.optional(),
  channel_type: text.optional(),
  subtype: text.optional(),
  bot_id: optionalText,
  // Bolt looks into these when they are present.
  item: z.looseObject({}).optional(),
  message: z.looseObject({}).optional(),
  previous_message: z.looseObject({}).optional(),
  assistant_thread: z.looseObject({}).optional(),
  subteam: z.looseObject({}).optional(),
});

// Someone opened the app's assistant view, or moved to another channel while it is open.
const assistantThreadEvent = z.looseObject({
  type: z.enum(['assistant_thread_started', 'assistant_thread_context_changed']),
  assistant_thread: z.looseObject({
    user_id: text,
    channel_id: text,
    thread_ts: text,
    context: z.looseObject({ channel_id: text.optional(), team_id: optionalId, enterprise_id: optionalId }).optional(),
  }),
  event_ts: text.optional(),
});

const eventCallbackOf = (event: typeof messageEvent | typeof assistantThreadEvent) =>
  z.looseObject({
    type: z.literal('event_callback'),
    event_id: text.optional(),
    team_id: optionalId,
    enterprise_id: optionalId,
    authorizations: z.array(z.looseObject({ team_id: optionalId, enterprise_id: optionalId, is_enterprise_install: z.boolean().optional() })).optional(),
    event,
  });

const eventCallbacks: Record<string, ReturnType<typeof eventCallbackOf>> = {
  app_mention: eventCallbackOf(messageEvent),
  message: eventCallbackOf(messageEvent),
  assistant_thread_started: eventCallbackOf(assistantThreadEvent),
  assistant_thread_context_changed: eventCallbackOf(assistantThreadEvent),
};

// Form fields are strings; these are the ones Bolt and the command listener use.
const slashCommand = z.looseObject({
  command: text,
  text: text.optional(),
  channel_id: text,
  user_id: text,
  team_id: id.optional(),
  enterprise_id: id.optional(),
  response_url: text,
});

const blockActions = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({ id: text, team_id: optionalId }),
  team: z.looseObject({ id, enterprise_id: optionalId }).nullish(),
  enterprise: z.looseObject({ id }).nullish(),
  actions: z.array(z.looseObject({ action_id: text, block_id: text.optional(), type: text.optional() })).min(1),
  channel: z.looseObject({ id: text }).optional(),
  message: z.looseObject({ ts: text, thread_ts: text.optional() }).optional(),
  response_url: text.optional(),
});

export type SlackPayloadKind =
  | { kind: 'url_verification'; challenge: string }
  | { kind: 'ssl_check' }
  | { kind: 'for_bolt' }
  | { kind: 'not_handled'; type: string }
  | { kind: 'invalid'; reason: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const invalid = (what: string, error: z.ZodError): SlackPayloadKind => {
  const path = error.issues[0]?.path.join('.') || 'the body';
  return { kind: 'invalid', reason: `${what}: "${path}" is missing or has the wrong type` };
};

/** What to do with a parsed Slack payload (Events API, slash command or interactivity). */
export function classifySlackPayload(payload: unknown): SlackPayloadKind {
  if (!isObject(payload)) return { kind: 'invalid', reason: `not an object but ${payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload}` };
  if (payload.ssl_check !== undefined) return { kind: 'ssl_check' };
  if (payload.command !== undefined) {
    const command = slashCommand.safeParse(payload);
    return command.success ? { kind: 'for_bolt' } : invalid('a slash command', command.error);
  }
  if (typeof payload.type !== 'string') return { kind: 'invalid', reason: 'no "type"' };
  switch (payload.type) {
    case 'url_verification':
      return typeof payload.challenge === 'string' ? { kind: 'url_verification', challenge: payload.challenge } : { kind: 'invalid', reason: 'url_verification without a "challenge"' };
    case 'event_callback': {
      if (!isObject(payload.event) || typeof payload.event.type !== 'string') return { kind: 'invalid', reason: 'event_callback without an "event" object' };
      const schema = Object.hasOwn(eventCallbacks, payload.event.type) ? eventCallbacks[payload.event.type] : undefined;
      if (!schema) return { kind: 'not_handled', type: `event ${payload.event.type}` };
      const event = schema.safeParse(payload);
      return event.success ? { kind: 'for_bolt' } : invalid(`a ${payload.event.type} event`, event.error);
    }
    case 'block_actions': {
      const actions = blockActions.safeParse(payload);
      return actions.success ? { kind: 'for_bolt' } : invalid('block_actions', actions.error);
    }
    default:
      return { kind: 'not_handled', type: payload.type };
  }
}
