// The Function App on Flex Consumption (FC1), Python 3.11, running as the
// user-assigned identity for storage, Cosmos DB and Application Insights.
param name string
param planName string
param location string
param tags object
param identityId string
param identityClientId string
param storageAccountName string
param queueServiceUri string
param deploymentContainerUrl string
param appInsightsConnectionString string
param cosmosEndpoint string
param cosmosDatabase string
param recommendationSchedule string
param acsEndpoint string
param emailSender string

@secure()
param apiKey string

@description('Most instances the app scales out to (Flex Consumption allows up to 1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory per instance; the batch matching engine (numpy, Numba) wants 2 GB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

// Flex Consumption takes the runtime from functionAppConfig: FUNCTIONS_WORKER_RUNTIME
// and FUNCTIONS_EXTENSION_VERSION must not be set here.
var appSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // The app's own queue producer (app/tasks/azure_queue.py) sends to the queue the
  // trigger reads, by identity, at this URI; TASK_QUEUE=azure because Flex
  // Consumption does not expose FUNCTIONS_WORKER_RUNTIME as a setting.
  AzureWebJobsStorage__queueServiceUri: queueServiceUri
  TASK_QUEUE: 'azure'
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // DefaultAzureCredential picks the user-assigned identity by this id.
  AZURE_CLIENT_ID: identityClientId
  STORAGE_BACKEND: 'cosmos'
  COSMOS_ENDPOINT: cosmosEndpoint
  COSMOS_DATABASE: cosmosDatabase
  // The timer trigger reads %RECOMMENDATION_SCHEDULE%: the host cannot index it
  // when the setting is missing.
  RECOMMENDATION_SCHEDULE: recommendationSchedule
  API_KEY: apiKey
  // Confirmation email by identity (AZURE_CLIENT_ID): the package folder is read-only
  // on Flex Consumption, so the local `file` outbox cannot work here.
  EMAIL_BACKEND: 'acs'
  ACS_ENDPOINT: acsEndpoint
  EMAIL_SENDER: emailSender
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  //checkov:skip=CKV_AZURE_225:Zone redundancy on Flex Consumption needs a region with availability zones and bills always-ready instances; not a default for every azd environment.
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd finds the app to deploy service `api` (azure.yaml) to by this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  //checkov:skip=CKV_AZURE_17:The API's callers authenticate with X-API-Key over TLS; requiring client certificates would lock them out.
  //checkov:skip=CKV_AZURE_222:The public REST API is the product; callers need the key (API_KEY) for every route but /api/health.
  //checkov:skip=CKV_AZURE_212:Flex Consumption scales from zero per event; a minimum (always-ready instances) is billed while idle, so it is left to the operator.
  //checkov:skip=CKV_AZURE_213:App Service health check replaces instances of dedicated plans; not verified on Flex Consumption (no Azure here). /api/health answers for an external availability test.
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [for setting in items(appSettings): { name: setting.key, value: setting.value }]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: { name: 'python', version: '3.11' }
    }
  }
}

// azd deploys to Flex Consumption with an Entra ID token; publishing passwords are
// not needed.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

output name string = app.name
output uri string = 'https://${app.properties.defaultHostName}'
