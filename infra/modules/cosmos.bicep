// Cosmos DB (NoSQL): the account, the database and the four containers exactly as
// app/storage/containers.py declares them (via containers.json, regenerated with
// `python -m app.storage.export`; tests/test_infra.py keeps the two equal).
// A managed identity cannot create databases or containers through the data plane,
// so they are created here, and key access is off.
param accountName string
param location string
param tags object
param databaseName string
param appPrincipalId string

@description('Second region (read replica and automatic failover); empty: one region.')
param secondaryLocation string = ''

@description('Object id of a person or pipeline given data access (seed-demo, queries); empty: none.')
param principalId string = ''

@description('Point-in-time restore window: 7 days is included in the price, 30 days is billed.')
@allowed(['Continuous7Days', 'Continuous30Days'])
param backupTier string = 'Continuous7Days'

@description('Autoscale ceiling of the shared database throughput when the account is not serverless.')
@minValue(1000)
param autoscaleMaxThroughput int = 1000

// Serverless accounts are limited to one region, so a second region switches the
// account to shared autoscale throughput.
var serverless = empty(secondaryLocation)
var containers = loadJsonContent('../containers.json')
// "Cosmos DB Built-in Data Contributor": read and write items, no control plane.
var dataContributorRoleId = '00000000-0000-0000-0000-000000000002'
var primaryRegion = [{ locationName: location, failoverPriority: 0, isZoneRedundant: false }]
var secondaryRegion = serverless ? [] : [{ locationName: secondaryLocation, failoverPriority: 1, isZoneRedundant: false }]
var regions = concat(primaryRegion, secondaryRegion)

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  //checkov:skip=CKV_AZURE_101:Flex Consumption without VNet integration reaches Cosmos DB over its public endpoint; every call needs an Entra ID token (local auth off). Private access needs VNet integration and a private endpoint, not part of this template.
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    locations: regions
    enableAutomaticFailover: !serverless
    enableMultipleWriteLocations: false
    capabilities: serverless ? [{ name: 'EnableServerless' }] : []
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    publicNetworkAccess: 'Enabled'
    minimalTlsVersion: 'Tls12'
    backupPolicy: {
      type: 'Continuous'
      continuousModeProperties: { tier: backupTier }
    }
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: { id: databaseName }
    options: serverless ? {} : { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } }
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for container in containers: {
    parent: database
    name: container.name
    properties: {
      // defaultTtl is left out, not sent as null, where the declaration has none.
      resource: union({ id: container.name, partitionKey: { paths: [container.partitionKeyPath], kind: 'Hash', version: 2 }, indexingPolicy: container.indexingPolicy }, container.defaultTtl == null ? {} : { defaultTtl: container.defaultTtl })
    }
  }
]

resource appDataAccess 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = {
  parent: account
  name: guid(account.id, appPrincipalId, dataContributorRoleId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
    principalId: appPrincipalId
    scope: account.id
  }
}

resource personDataAccess 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = if (!empty(principalId)) {
  parent: account
  name: guid(account.id, principalId, dataContributorRoleId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
    principalId: principalId
    scope: account.id
  }
}

output endpoint string = account.properties.documentEndpoint
output name string = account.name
output databaseName string = database.name
