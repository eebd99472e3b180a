// The envelope Slack's Events API posts around an event (event_callback), for tests and benches
// that post signed events to the bot as Slack would.

export interface SlackEventEnvelope {
  type: 'event_callback';
  event_id: string;
  event: { type: string; ts: string; [field: string]: unknown };
  [field: string]: unknown;
}

/** An event_callback for `event` in team TFAKE, its bot user `botUserId`. */
export function slackEventEnvelope(eventId: string, botUserId: string, event: { type: string; ts: string; [field: string]: unknown }): SlackEventEnvelope {
  return {
    token: 'verification-token-unused',
    team_id: 'TFAKE',
    api_app_id: 'AFAKE',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'TFAKE', user_id: botUserId, is_bot: true }],
    is_ext_shared_channel: false,
    event: { team: 'TFAKE', event_ts: event.ts, ...event },
  };
}
