// botbuilder's CloudAdapter for the Teams endpoint. botbuilder is in maintenance (succeeded by the
// Microsoft 365 Agents SDK); its types stay inside src/channels/teams/ and the server wiring.
import { createRequire } from 'node:module';
import { CallerIdConstants, CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type ConfigurationBotFrameworkAuthenticationOptions, type InvokeResponse, type TurnContext } from 'botbuilder';
import { AuthenticationConstants, type AuthenticateRequestResult, type BotFrameworkAuthentication } from 'botframework-connector';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';

export interface TeamsAdapterOptions {
  /** Where the Bot Framework's token signing keys are published (a local server in tests). */
  openIdMetadataUrl?: string;
  /** The issuer those tokens carry. */
  tokenIssuer?: string;
  /** Where the keys of Emulator (Entra ID) tokens are published (a local server in tests). */
  emulatorOpenIdMetadataUrl?: string;
}

/**
 * CloudAdapter with its two steps apart: authenticate the request, then run the turn. The endpoint
 * decides the HTTP answer to each failure itself (CloudAdapter.process answers a rejected token
 * with 500 and the JWT library's message, and a body without `type` with an unhandled error).
 */
export class TeamsAdapter extends CloudAdapter {
  constructor(private readonly authentication: BotFrameworkAuthentication) {
    super(authentication);
  }

  /** The caller's identity from the Authorization header; throws when the token is refused. In local mode every request passes, anonymously. */
  authenticate(activity: Activity, authorization: string): Promise<AuthenticateRequestResult> {
    return this.authentication.authenticateRequest(activity, authorization);
  }

  /** Runs the turn of an authenticated activity; the invoke response, when there is one. */
  runTurn(authenticated: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authenticated, activity, logic);
  }
}

/**
 * botbuilder 4.23's connector serializer keeps only `type`, `text` and `mentioned` of an entity:
 * a citation (schema.org Message) or a stream entity would reach Teams as its bare type. Letting
 * the Entity mapper pass other properties through keeps them.
 */
function keepEntityProperties(): void {
  const require = createRequire(import.meta.url);
  const mappers = require('botframework-connector/lib/connectorApi/models/mappers.js') as { Entity: { type: { additionalProperties?: unknown } } };
  mappers.Entity.type.additionalProperties = { type: { name: 'Object' } };
}

export function createTeamsAdapter(teams: Config['teams'], logger: Logger, options: TeamsAdapterOptions = {}): TeamsAdapter {
  keepEntityProperties();
  const credentials = teams.credentials;
  const settings: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: credentials?.appId ?? '',
    MicrosoftAppPassword: credentials?.appPassword ?? '',
    MicrosoftAppType: credentials?.appType ?? 'MultiTenant',
    MicrosoftAppTenantId: credentials?.tenantId ?? '',
    // Overriding one endpoint means giving them all: botbuilder then takes none of its defaults.
    ...(options.openIdMetadataUrl
      ? {
          ToBotFromChannelOpenIdMetadataUrl: options.openIdMetadataUrl,
          ToBotFromChannelTokenIssuer: options.tokenIssuer ?? AuthenticationConstants.ToBotFromChannelTokenIssuer,
          ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
          ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
          OAuthUrl: AuthenticationConstants.OAuthUrl,
          ToBotFromEmulatorOpenIdMetadataUrl: options.emulatorOpenIdMetadataUrl ?? AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
          ValidateAuthority: true,
          CallerId: CallerIdConstants.PublicAzureChannel,
        }
      : {}),
  };
  const adapter = new TeamsAdapter(new ConfigurationBotFrameworkAuthentication(settings));
  adapter.onTurnError = async (context, error) => {
    logger.error({ err: error, activityId: context.activity.id, type: context.activity.type }, 'Teams turn failed');
    // Never a stack trace in chat: a short apology, when the conversation can still be reached.
    await context.sendActivity('Sorry, something went wrong while answering. Please try again in a moment.').catch(() => {});
  };
  return adapter;
}
