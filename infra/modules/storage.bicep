// The Function App's storage: host state (blob leases, keys), the task queue and the
// Flex Consumption deployment package. Reached by identity only: shared keys are off.
param name string
param location string
param tags object
param appPrincipalId string
param deploymentContainerName string
param taskQueueName string

@description('Object id of a person or pipeline that may read blobs and queues; empty: none.')
param principalId string = ''
param principalType string = 'User'

@description('Replication; Standard_LRS in regions without availability zones.')
@allowed(['Standard_ZRS', 'Standard_GZRS', 'Standard_RAGZRS', 'Standard_LRS'])
param skuName string = 'Standard_ZRS'

// Built-in role ids, from Azure's list of built-in roles.
var roles = {
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  blobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  queueDataMessageProcessor: '8a0f0c08-91a1-4084-bc3d-661d67233fed'
  queueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
}
// The host keeps leases and keys in blobs (Owner), reads and deletes queue messages
// (Processor), sends them (Sender: the API and the nightly planner enqueue work) and
// creates the poison queue (Contributor).
var appRoles = [
  roles.blobDataOwner
  roles.queueDataContributor
  roles.queueDataMessageProcessor
  roles.queueDataMessageSender
]
var personRoles = empty(principalId) ? [] : [roles.blobDataContributor, roles.queueDataContributor]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: skuName }
  //checkov:skip=CKV_AZURE_206:Holds only the deployment package, host leases and in-flight queue messages; the data lives in Cosmos DB (continuous backup, optional second region). ZRS by default survives a zone loss.
  //checkov:skip=CKV_AZURE_35:Flex Consumption without VNet integration reaches storage over its public endpoint; access is by Entra ID only (shared keys off).
  //checkov:skip=CKV_AZURE_59:As for CKV_AZURE_35: the host reaches storage over the public endpoint with its identity; private access needs VNet integration and private endpoints, not part of this template.
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: { enabled: true, keyType: 'Account' }
        file: { enabled: true, keyType: 'Account' }
        queue: { enabled: true, keyType: 'Account' }
        table: { enabled: true, keyType: 'Account' }
      }
    }
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: { enabled: true, days: 7 }
    containerDeleteRetentionPolicy: { enabled: true, days: 7 }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// The trigger polls these; creating them here saves a failed first poll and makes
// the poison queue visible before the first failure.
resource taskQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queueName in [taskQueueName, '${taskQueueName}-poison']: {
    parent: queues
    name: queueName
  }
]

resource appRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in appRoles: {
    name: guid(storage.id, appPrincipalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource personRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in personRoles: {
    name: guid(storage.id, principalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: principalId
      principalType: principalType
    }
  }
]

output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
