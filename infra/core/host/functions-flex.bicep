// Azure Functions on a Flex Consumption plan (FC1): Linux, dotnet-isolated, scales to zero, CPU only.
// The code package lives in a blob container read with the user-assigned identity, so there is no content share
// and no storage key anywhere. Shape: Azure-Samples/azure-functions-flex-consumption-samples IaC/bicep.
@description('Name of the function app.')
param name string

@description('Name of the Flex Consumption plan (one app per plan).')
param planName string

@description('Azure region of the plan and the app. Flex Consumption is offered in a subset of regions.')
param location string

@description('Tags applied to the plan; the app also gets appTags.')
param tags object = {}

@description('Tags applied to the function app only (azd-service-name).')
param appTags object = {}

@description('Resource ID of the user-assigned identity the app runs as and reads its deployment package with.')
param identityId string

@description('Blob endpoint of the storage account holding the deployment container, with a trailing slash.')
param blobEndpoint string

@description('Blob container the code package is deployed to (azd deploy uploads the zip there).')
param deploymentContainerName string

@allowed([ 2048, 4096 ])
@description('Memory per instance in MB, shared by the Functions host, the worker and every loaded model; CPU is proportional.')
param instanceMemoryMB int

@minValue(40)
@maxValue(1000)
@description('Largest number of instances the app may scale out to (the range of the official Flex samples).')
param maximumInstanceCount int

@minValue(1)
@maxValue(1000)
@description('Concurrent HTTP requests per instance before the platform adds one.')
param httpPerInstanceConcurrency int

@minValue(0)
@description('Always-ready instances for the HTTP functions (billed continuously at the baseline rate); 0 scales to zero.')
param alwaysReadyHttpInstances int

@minValue(0)
@description('Always-ready instances for the ScoreShard queue function (its own scale group); 0 scales to zero.')
param alwaysReadyScoreShardInstances int

@description('App settings, as name/value pairs. Never FUNCTIONS_WORKER_RUNTIME or FUNCTIONS_EXTENSION_VERSION: Flex takes the runtime from functionAppConfig.')
param appSettings object

// HTTP functions scale as one group (`http`); any other function scales on its own, named `function:<name>`
// (learn flex-consumption-how-to, "Set always ready instance counts"). Zero counts are left out: 0 is the default.
var alwaysReady = filter([
  { name: 'http', instanceCount: alwaysReadyHttpInstances }
  { name: 'function:ScoreShard', instanceCount: alwaysReadyScoreShardInstances }
], group => group.instanceCount > 0)

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
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
    // Key Vault references (the APIM secret, the admin key) resolve as the user-assigned identity.
    keyVaultReferenceIdentity: identityId
    // NOTE: Flex rejects most Premium siteConfig properties (linuxFxVersion, functionAppScaleLimit,
    // preWarmedInstanceCount, use32BitWorkerProcess, ...): the runtime and scale live in functionAppConfig.
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [for setting in items(appSettings): {
        name: setting.key
        value: setting.value
      }]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: alwaysReady
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

output name string = app.name
output id string = app.id
output uri string = 'https://${app.properties.defaultHostName}'
output hostName string = app.properties.defaultHostName
