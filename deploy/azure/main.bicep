// Groundwork on Azure: a user-assigned managed identity (the bot's identity: no client secret to
// keep), an App Service running the bot, and the Azure Bot registration with the Teams channel on.
//   az group create -n groundwork -l westeurope
//   az deployment group create -g groundwork -f deploy/azure/main.bicep -p name=groundwork-acme
// Then deploy the code (see README: "Deploy to Azure") and build the Teams app package.

@description('Prefix of every resource name; the web app is <name>.azurewebsites.net, so it must be globally unique.')
@minLength(3)
@maxLength(40)
param name string

@description('Region of the identity and the App Service (the Azure Bot itself is global).')
param location string = resourceGroup().location

@description('App Service plan size: B1 is enough for a few hundred people; P0v3 and up for more.')
param appServiceSku string = 'B1'

@description('Azure Bot pricing tier: F0 (free, standard channels such as Teams are free on it too) or S1.')
@allowed(['F0', 'S1'])
param botSku string = 'F0'

@description('The bot\'s name as Teams shows it.')
param botDisplayName string = 'Groundwork'

@description('Comma-separated Entra object ids of the people who may run "sync" from Teams (TEAMS_ADMIN_IDS).')
param adminIds string = ''

@description('Comma-separated tenant ids allowed to use the bot; empty for the tenant of this subscription only.')
param allowedTenants string = subscription().tenantId

@description('Azure OpenAI: name of an existing account in this resource group (empty: extractive answers, keyword search).')
param openAiAccountName string = ''

@description('Azure OpenAI deployment names of the chat and embedding models (with openAiAccountName).')
param chatDeployment string = 'gpt-4o-mini'
param embeddingDeployment string = 'text-embedding-3-small'

@description('Document sources, GROUNDWORK_SOURCES syntax; upload exports under /home/site/documents (persistent storage).')
param sources string = 'handbook=folder:/home/site/documents/handbook'

@description('Cron expression of the nightly re-sync (SYNC_SCHEDULE).')
param syncSchedule string = '0 3 * * *'

var appName = name
var useOpenAi = !empty(openAiAccountName)
// Built-in role "Cognitive Services OpenAI User": call the models, nothing else.
var openAiUserRole = '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-identity'
  location: location
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${name}-plan'
  location: location
  kind: 'linux'
  sku: { name: appServiceSku }
  properties: { reserved: true }
}

resource openAi 'Microsoft.CognitiveServices/accounts@2023-05-01' existing = if (useOpenAi) {
  name: openAiAccountName
}

resource app 'Microsoft.Web/sites@2023-12-01' = {
  name: appName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      appCommandLine: 'node --max-old-space-size=384 dist/cli.js serve'
      alwaysOn: true
      healthCheckPath: '/healthz'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      appSettings: concat(
        [
          { name: 'NODE_ENV', value: 'production' }
          { name: 'PORT', value: '8080' }
          { name: 'WEBSITES_PORT', value: '8080' }
          // SQLite wants a local disk (WAL does not work on the network share under /home): the
          // index lives on the instance and is rebuilt from the sources when an instance starts.
          { name: 'GROUNDWORK_DATA_DIR', value: '/tmp/groundwork' }
          { name: 'GROUNDWORK_SOURCES', value: sources }
          { name: 'SYNC_SCHEDULE', value: syncSchedule }
          { name: 'PUBLIC_BASE_URL', value: 'https://${appName}.azurewebsites.net' }
          { name: 'MicrosoftAppType', value: 'UserAssignedMSI' }
          { name: 'MicrosoftAppId', value: identity.properties.clientId }
          { name: 'MicrosoftAppTenantId', value: identity.properties.tenantId }
          { name: 'TEAMS_ADMIN_IDS', value: adminIds }
          { name: 'TEAMS_ALLOWED_TENANTS', value: allowedTenants }
        ],
        useOpenAi
          ? [
              { name: 'AZURE_OPENAI_ENDPOINT', value: openAi.properties.endpoint }
              { name: 'AZURE_OPENAI_AUTH', value: 'managed-identity' }
              { name: 'AZURE_OPENAI_MANAGED_IDENTITY_CLIENT_ID', value: identity.properties.clientId }
              { name: 'AZURE_OPENAI_CHAT_DEPLOYMENT', value: chatDeployment }
              { name: 'AZURE_OPENAI_EMBEDDING_DEPLOYMENT', value: embeddingDeployment }
            ]
          : []
      )
    }
  }
}

resource openAiUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (useOpenAi) {
  scope: openAi
  name: guid(resourceGroup().id, identity.id, openAiUserRole)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', openAiUserRole)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${name}-bot'
  location: 'global'
  kind: 'azurebot'
  sku: { name: botSku }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${app.properties.defaultHostName}/api/messages'
    msaAppType: 'UserAssignedMSI'
    msaAppId: identity.properties.clientId
    msaAppTenantId: identity.properties.tenantId
    msaAppMSIResourceId: identity.id
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: { isEnabled: true }
  }
}

@description('The bot\'s Microsoft App ID: MicrosoftAppId, and BOT_ID in the Teams app package.')
output botAppId string = identity.properties.clientId
output appUrl string = 'https://${app.properties.defaultHostName}'
output messagingEndpoint string = 'https://${app.properties.defaultHostName}/api/messages'
