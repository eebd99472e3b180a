// POST /api/messages: the activity's shape, the tenant allow-list, where replies may go, the Bot
// Framework token (when credentials are set), then the bot's turn logic. Each refusal gets its own
// status and a message of ours; a library's message goes to the debug log, never to the caller.
import { AuthenticationConstants, AuthenticationError } from 'botframework-connector';
import type restify from 'restify';
import type { Config } from '../../config.js';
import type { TeamsBotDependencies } from './teams-bot.js';
import { TeamsBot } from './teams-bot.js';
import { isLoopbackUrl, parseActivity } from './teams-activity.js';
import { createTeamsAdapter, type TeamsAdapterOptions } from './teams-adapter.js';

export type TeamsEndpoint = (req: restify.Request, res: restify.Response) => Promise<void>;

const refusal = (code: string, message: string) => ({ error: { code, message } });

function unauthorized(res: restify.Response): void {
  res.setHeader('www-authenticate', 'Bearer');
  res.send(401, refusal('unauthorized', 'A valid Bot Framework token is required.'));
}

/** The signing keys could not be fetched: the token was not judged, so this is not the caller's fault. */
function keysUnavailable(error: unknown): boolean {
  const { statusCode, name } = error as { statusCode?: number; name?: string };
  return (error instanceof AuthenticationError && (statusCode ?? 0) >= 500) || name === 'FetchError';
}

export function createTeamsEndpoint(
  teams: Config['teams'],
  deps: Omit<TeamsBotDependencies, 'continueConversation' | 'openPersonalChat' | 'adminIds'>,
  adapterOptions: TeamsAdapterOptions = {},
): TeamsEndpoint {
  const log = deps.logger;
  const adapter = createTeamsAdapter(teams, log, adapterOptions);
  const bot = new TeamsBot({
    ...deps,
    adminIds: teams.adminIds,
    continueConversation: (reference, send) => adapter.continueConversationAsync(teams.credentials?.appId ?? '', reference, send),
    openPersonalChat: (context, send) => {
      const { activity } = context;
      const tenantId = activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
      return adapter.createConversationAsync(
        teams.credentials?.appId ?? '',
        activity.channelId,
        activity.serviceUrl,
        // The Bot Framework's token audience for the connector (public cloud).
        'https://api.botframework.com',
        { isGroup: false, bot: activity.recipient, members: [activity.from], tenantId, channelData: tenantId ? { tenant: { id: tenantId } } : undefined },
        send,
      );
    },
  });
  return async (req, res) => {
    const parsed = parseActivity(req.body);
    if ('problem' in parsed) {
      log.warn({ reason: parsed.problem }, 'Teams request refused: not a valid activity');
      res.send(400, refusal('invalid_activity', parsed.problem));
      return;
    }
    const { activity } = parsed;
    const activityId = activity.id;
    if (teams.allowedTenants.length > 0) {
      // Activities carry the tenant in one place or the other.
      const tenant = activity.conversation.tenantId ?? activity.channelData?.tenant?.id;
      if (!tenant || !teams.allowedTenants.includes(tenant)) {
        log.warn({ activityId, tenant }, 'Teams activity from a tenant that is not allowed');
        res.send(403, refusal('tenant_not_allowed', 'This bot does not serve your organization.'));
        return;
      }
    }
    // Without credentials nobody vouches for the serviceUrl, and the bot would post the answer to
    // wherever the request says: in local mode only to this machine (the Agents Playground).
    if (!teams.credentials && !isLoopbackUrl(activity.serviceUrl)) {
      log.warn({ activityId, serviceUrl: activity.serviceUrl }, 'Teams activity refused: in local mode the bot replies only to a serviceUrl on this machine');
      res.send(403, refusal('service_url_not_allowed', 'Without MicrosoftAppId this bot replies only to a serviceUrl on this machine (localhost).'));
      return;
    }

    let authenticated;
    try {
      authenticated = await adapter.authenticate(activity, req.header('authorization') ?? '');
    } catch (error) {
      if (keysUnavailable(error)) {
        log.error({ err: error, activityId }, 'cannot check Teams tokens: the Bot Framework signing keys are unavailable');
        res.send(503, refusal('authentication_unavailable', 'The token cannot be checked just now. Please try again.'));
        return;
      }
      log.debug({ activityId, reason: (error as Error).message }, 'Teams request refused: token not accepted');
      unauthorized(res);
      return;
    }
    // botbuilder checks the channel token's serviceurl claim against the activity; tokens of other
    // kinds (Emulator tokens from Entra ID) carry none, and would let their holder pick where the
    // bot sends its replies, and its own access token. Teams sends channel tokens only.
    if (teams.credentials && authenticated.claimsIdentity.getClaimValue(AuthenticationConstants.ServiceUrlClaim) !== activity.serviceUrl) {
      log.debug({ activityId, serviceUrl: activity.serviceUrl }, 'Teams request refused: the token does not name this serviceUrl');
      unauthorized(res);
      return;
    }

    try {
      const response = await adapter.runTurn(authenticated, activity, (context) => bot.onTurn(context));
      if (response?.body === undefined) res.send(response?.status ?? 200);
      else res.send(response.status, response.body);
    } catch (error) {
      // The turn's own errors are handled in onTurnError; this is botbuilder failing around it.
      log.error({ err: error, activityId, type: activity.type }, 'Teams activity could not be handled');
      res.send(500, refusal('internal', 'The activity could not be handled.'));
    }
  };
}
