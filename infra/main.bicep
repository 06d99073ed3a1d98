// Everything `azd up` creates: one resource group holding the Function App (Flex
// Consumption), its storage, Cosmos DB, email (Communication Services) and
// monitoring. Access between them is by the app's managed identity only: no keys or
// connection strings with secrets.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names and tags every resource.')
param environmentName string

@minLength(1)
@description('Region of every resource (one that offers Flex Consumption).')
param location string

@description('Optional second Cosmos DB region, e.g. westeurope; empty: one region (serverless).')
param cosmosSecondaryLocation string = ''

@description('Object id of the person or pipeline running azd (azd sets AZURE_PRINCIPAL_ID): data access for seed-demo and debugging. Empty: none.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal'])
param principalType string = 'User'

@secure()
@minLength(24)
@description('Key the API requires in header X-API-Key. Without one the API is open, so it is required here.')
param apiKey string

@description('Six-field NCRONTAB schedule of the nightly recommendation pass (UTC).')
param recommendationSchedule string = '0 0 2 * * *'

@description('Replication of the storage account; Standard_LRS in regions without availability zones.')
@allowed(['Standard_ZRS', 'Standard_GZRS', 'Standard_RAGZRS', 'Standard_LRS'])
param storageSkuName string = 'Standard_ZRS'

// The app's names for these (app/config.py, app/tasks/messages.py).
var databaseName = 'job-db'
var taskQueueName = 'jobmatch-tasks'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-${resourceToken}'

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: group
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: group
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    appInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
    appPrincipalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: group
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    skuName: storageSkuName
    appPrincipalId: identity.outputs.principalId
    deploymentContainerName: 'deployments'
    taskQueueName: taskQueueName
    principalId: principalId
    principalType: principalType
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: group
  params: {
    accountName: 'cosmos-${resourceToken}'
    location: location
    tags: tags
    databaseName: databaseName
    secondaryLocation: cosmosSecondaryLocation
    appPrincipalId: identity.outputs.principalId
    principalId: principalId
  }
}

module email 'modules/email.bicep' = {
  name: 'email'
  scope: group
  params: {
    communicationName: 'acs-${resourceToken}'
    emailServiceName: 'ecs-${resourceToken}'
    tags: tags
    appPrincipalId: identity.outputs.principalId
  }
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: group
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    queueServiceUri: storage.outputs.queueEndpoint
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    appInsightsConnectionString: monitoring.outputs.connectionString
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabase: cosmos.outputs.databaseName
    recommendationSchedule: recommendationSchedule
    apiKey: apiKey
    acsEndpoint: email.outputs.endpoint
    emailSender: email.outputs.senderAddress
  }
}

// azd stores these in the environment (.azure/<env>/.env).
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = group.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output API_URL string = '${functionApp.outputs.uri}/api'
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE string = databaseName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
output ACS_ENDPOINT string = email.outputs.endpoint
output EMAIL_SENDER string = email.outputs.senderAddress
