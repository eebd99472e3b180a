// POST /api/messages: tenant allow-list, then botbuilder (token validation when credentials are
// set) and the bot's turn logic.
import type restify from 'restify';
import type { Config } from '../../config.js';
import { ConversationMemory } from '../../conversation/conversation-memory.js';
import type { TeamsBotDependencies } from './teams-bot.js';
import { TeamsBot } from './teams-bot.js';
import { createTeamsAdapter, type TeamsAdapterOptions } from './teams-adapter.js';

export type TeamsEndpoint = (req: restify.Request, res: restify.Response) => Promise<void>;

export function createTeamsEndpoint(
  teams: Config['teams'],
  deps: Omit<TeamsBotDependencies, 'continueConversation' | 'memory' | 'adminIds'> & { memory?: ConversationMemory },
  adapterOptions: TeamsAdapterOptions = {},
): TeamsEndpoint {
  const adapter = createTeamsAdapter(teams, deps.logger, adapterOptions);
  const bot = new TeamsBot({
    ...deps,
    memory: deps.memory ?? new ConversationMemory(),
    adminIds: teams.adminIds,
    continueConversation: (reference, send) => adapter.continueConversationAsync(teams.credentials?.appId ?? '', reference, send),
  });
  return async (req, res) => {
    const body = (req.body ?? {}) as { conversation?: { tenantId?: string }; channelData?: { tenant?: { id?: string } } };
    if (teams.allowedTenants.length > 0) {
      // Activities carry the tenant in one place or the other.
      const tenant = body.conversation?.tenantId ?? body.channelData?.tenant?.id;
      if (!tenant || !teams.allowedTenants.includes(tenant)) {
        deps.logger.warn({ tenant }, 'Teams activity from a tenant that is not allowed');
        res.send(403, { error: { code: 'tenant_not_allowed', message: 'This bot does not serve your organization.' } });
        return;
      }
    }
    await adapter.process(req as never, res as never, (context) => bot.onTurn(context));
  };
}
