// Key Vault in RBAC mode: holds the few secrets of the deployment. The app reads them through Key Vault
// references (Flex, Premium) or Key Vault-backed Container Apps secrets; none is copied into app settings.
// azd reuses the stored values on the next provision ($(secretOrRandomPassword ...) in main.parameters.json),
// so a re-provision does not rotate them under the running app.
@description('Name of the Key Vault.')
param name string

@description('Azure region of the Key Vault.')
param location string

@description('Tags applied to the Key Vault.')
param tags object = {}

@secure()
@description('Secrets to store, as secret name to value.')
param secrets object

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }
}

resource vaultSecrets 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = [for secret in items(secrets): {
  parent: vault
  name: secret.key
  properties: {
    value: secret.value
  }
}]

output name string = vault.name
// Versionless secret URIs are <uri>secrets/<name>: references then always resolve to the latest version.
output uri string = vault.properties.vaultUri
