// Confirmation email through Azure Communication Services: an Email Communication
// Service with an Azure-managed domain (<guid>.azurecomm.net: no DNS to set up, a
// low sending quota; add a custom domain for production volumes), linked to a
// Communication Services resource the app sends through with its identity.
param communicationName string
param emailServiceName string
param tags object
param appPrincipalId string

@description('Where the Communication Services data rests (not an Azure region).')
param dataLocation string = 'United States'

// The built-in role that allows sending email with an Entra ID token. A custom role
// holding only what sending needs is narrower, at the cost of a role definition to
// maintain; scoped to this one resource, the built-in one grants nothing else.
var emailSenderRoleId = '09976791-48a7-449e-bb21-39d1a415f350'

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: { dataLocation: dataLocation }
}

resource managedDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    // Confirmations carry no tracking pixels or rewritten links.
    userEngagementTracking: 'Disabled'
  }
}

resource communication 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [managedDomain.id]
  }
}

resource appSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communication.id, appPrincipalId, emailSenderRoleId)
  scope: communication
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', emailSenderRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output endpoint string = 'https://${communication.properties.hostName}'
// The managed domain allows this one sender address out of the box.
output senderAddress string = 'DoNotReply@${managedDomain.properties.mailFromSenderDomain}'
