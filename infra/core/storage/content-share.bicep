// Premium plan only. Elastic Premium keeps the app's code on an Azure Files share named by WEBSITE_CONTENTSHARE,
// and Azure Files accepts only an account key (WEBSITE_CONTENTAZUREFILECONNECTIONSTRING has no managed identity
// option). The key is therefore confined to this second, code-only account; the data account stays keyless.
// The connection string is written straight into Key Vault and the app reads it through a Key Vault reference,
// so no AccountKey ever appears in app settings or deployment outputs.
@description('Name of the code-only storage account that holds the Premium content share.')
param name string

@description('Azure region of the storage account.')
param location string

@description('Tags applied to the storage account.')
param tags object = {}

@description('Name of the Azure Files share the function app runs from (WEBSITE_CONTENTSHARE).')
param shareName string

@description('Name of the existing Key Vault that receives the content-share connection string.')
param keyVaultName string

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowBlobPublicAccess: false
    // Required: the Functions platform mounts the content share with this account's key (see the header).
    allowSharedKeyAccess: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }

  resource fileService 'fileServices' = {
    name: 'default'
    // Created here because WEBSITE_SKIP_CONTENTSHARE_VALIDATION stops the platform from creating it.
    resource share 'shares' = {
      name: shareName
    }
  }
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource connectionSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'content-share-connection'
  properties: {
    value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
  }
}

output shareName string = shareName
output connectionSecretUri string = connectionSecret.properties.secretUri
