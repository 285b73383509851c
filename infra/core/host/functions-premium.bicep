// Azure Functions on a Linux Elastic Premium plan (EP1-EP3), running the dotnet-isolated worker from a zip package.
@description('Name of the function app.')
param name string

@description('Name of the Elastic Premium plan.')
param planName string

@description('Azure region of the plan and the app.')
param location string

@description('Tags applied to the plan; the app also gets azd-service-name.')
param tags object = {}

@description('Tags applied to the function app only (azd-service-name).')
param appTags object = {}

@allowed([ 'EP1', 'EP2', 'EP3' ])
@description('Elastic Premium size: EP1 1 vCPU/3.5 GB, EP2 2 vCPU/7 GB, EP3 4 vCPU/14 GB. CPU only: Premium has no GPU.')
param sku string

@minValue(1)
@description('Always-ready instances: kept running even at zero load (minimumElasticInstanceCount, billed continuously).')
param alwaysReadyInstances int

@minValue(0)
@description('Pre-warmed instances: extra warm workers staged ahead of scale-out (preWarmedInstanceCount).')
param preWarmedInstances int

@minValue(1)
@maxValue(100)
@description('Largest number of workers the plan may burst to (maximumElasticWorkerCount; EP Linux allows up to 100).')
param maximumElasticWorkerCount int

@minValue(1)
@description('Largest number of instances this app may scale out to (functionAppScaleLimit).')
param functionAppScaleLimit int

@description('Resource ID of the user-assigned identity the app runs as.')
param identityId string

@description('App settings, as name/value pairs.')
param appSettings object

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'elastic'
  sku: {
    name: sku
    tier: 'ElasticPremium'
    // Plan-level minimum: the always-ready instances are billed here.
    capacity: alwaysReadyInstances
  }
  properties: {
    reserved: true // Linux
    maximumElasticWorkerCount: maximumElasticWorkerCount
  }
}

resource app 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, appTags)
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    // Key Vault references (the content share, the APIM secret) resolve as the user-assigned identity.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      // The .NET 10 isolated-worker stack; FUNCTIONS_WORKER_RUNTIME=dotnet-isolated (app settings) must agree.
      linuxFxVersion: 'DOTNET-ISOLATED|10.0'
      minimumElasticInstanceCount: alwaysReadyInstances
      preWarmedInstanceCount: preWarmedInstances
      functionAppScaleLimit: functionAppScaleLimit
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      use32BitWorkerProcess: false
      appSettings: [for setting in items(appSettings): {
        name: setting.key
        value: setting.value
      }]
    }
  }
}

output name string = app.name
output id string = app.id
output uri string = 'https://${app.properties.defaultHostName}'
output hostName string = app.properties.defaultHostName
