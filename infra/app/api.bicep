// The `api` service: one set of app settings, hosted on a Flex Consumption plan (CPU, scales to zero), an Elastic
// Premium plan (CPU, always warm) or as a Functions-on-Container-Apps image (CPU, or a serverless GPU).
// Everything identity-based: no storage keys (Premium's content share is the one documented exception).
@allowed([ 'flex', 'premium', 'containerapps' ])
@description('Where the function app runs. Only containerapps can use a GPU.')
param hostingPlan string

@description('Name of the function app (the Microsoft.Web/sites app or the container app).')
param name string

@description('Azure region.')
param location string

@description('Tags applied to every resource; the app also gets azd-service-name.')
param tags object

@description('Resource ID of the app\'s user-assigned identity.')
param identityId string

@description('Client ID of that identity (AzureWebJobsStorage__clientId, AZURE_CLIENT_ID).')
param identityClientId string

@description('Name of the data storage account.')
param storageAccountName string

@description('Blob endpoint of the data storage account, with a trailing slash.')
param blobEndpoint string

@description('Queue endpoint of the data storage account, with a trailing slash.')
param queueEndpoint string

@description('Table endpoint of the data storage account, with a trailing slash.')
param tableEndpoint string

@description('Container holding the model repository (<name>/<version>/model.onnx).')
param modelsContainerName string

@description('Queue the ScoreShard function listens on.')
param jobsQueueName string

@description('Containers batch jobs may read from and write to.')
param jobsAllowedContainers string[]

@description('Table holding job state (Jobs__Table).')
param jobsTableName string

@description('Prefix of the metering tables <prefix>usage, <prefix>callers, <prefix>keys (Metering__TablePrefix).')
param meteringTablePrefix string

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Versionless Key Vault URI of the apim-shared-secret secret.')
param apimSharedSecretUri string

@description('Versionless Key Vault URI of the metering-admin-key secret.')
param meteringAdminKeyUri string

@description('Name of the Flex Consumption or Elastic Premium plan (flex and premium).')
param planName string = ''

// Flex Consumption plan

@description('Blob container the Flex app\'s code package is deployed to (flex only).')
param deploymentContainerName string = ''

@allowed([ 2048, 4096 ])
@description('Memory per Flex instance in MB (flex only).')
param instanceMemoryMB int = 2048

@description('Largest number of Flex instances (flex only).')
param maximumInstanceCount int = 100

@description('Concurrent HTTP requests per Flex instance (flex only).')
param httpPerInstanceConcurrency int = 16

@description('Always-ready Flex instances for the HTTP functions (flex only).')
param alwaysReadyHttpInstances int = 0

@description('Always-ready Flex instances for the ScoreShard function (flex only).')
param alwaysReadyScoreShardInstances int = 0

// Premium plan

@allowed([ 'EP1', 'EP2', 'EP3' ])
@description('Elastic Premium size (premium only).')
param premiumSku string = 'EP1'

@description('Always-ready instances (premium only).')
param alwaysReadyInstances int = 1

@description('Pre-warmed instances (premium only).')
param preWarmedInstances int = 1

@description('Plan burst limit (premium only).')
param maximumElasticWorkerCount int = 20

@description('App scale-out limit (premium only).')
param functionAppScaleLimit int = 10

@description('Azure Files share name for the Premium content share (premium only).')
param contentShareName string = ''

@description('Versionless Key Vault URI of the content-share connection string (premium only).')
param contentShareSecretUri string = ''

// Container Apps

@description('Resource ID of the Container Apps environment (containerapps only).')
param containerAppsEnvironmentId string = ''

@description('Workload profile the container app runs on (containerapps only).')
param workloadProfileName string = 'Consumption'

@allowed([ 'none', 'Consumption-GPU-NC8as-T4', 'Consumption-GPU-NC24-A100' ])
@description('GPU profile type (containerapps only).')
param gpuProfile string = 'none'

@description('Container image (containerapps only); empty for the placeholder.')
param containerImage string = ''

@description('Registry login server (containerapps only).')
param registryLoginServer string = ''

@description('Minimum replicas (containerapps only); 0 scales to zero.')
param minReplicas int = 0

@description('Maximum replicas (containerapps only).')
param maxReplicas int = 10

@description('Use the explicit scale rules instead of the platform-derived ones (containerapps only).')
param scaleRuleOverride bool = false

@description('Versionless Key Vault URI of the Functions master key (containerapps only).')
param masterKeySecretUri string = ''

@description('Versionless Key Vault URI of the default Functions host key (containerapps only).')
param hostKeySecretUri string = ''

var appTags = union(tags, { 'azd-service-name': 'api' })

// Identity-based host storage: https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity
var hostStorageSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
}

// Premium and Container Apps only: Flex takes the runtime from functionAppConfig and deprecates both settings
// (learn functions-app-settings, "Flex Consumption plan deprecations").
var workerRuntimeSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
}

var serverlessSettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // DefaultAzureCredential in the app picks the user-assigned identity from this.
  AZURE_CLIENT_ID: identityClientId
  Models__Repository: '${blobEndpoint}${modelsContainerName}'
  // The product answers GET / (and every unknown path) itself; the host's HTML homepage would shadow it.
  AzureWebJobsDisableHomepage: 'true'
  Jobs__Queue: jobsQueueName
  Jobs__Table: jobsTableName
  Metering__TablePrefix: meteringTablePrefix
}

// Indexed keys bind to a list: Jobs:AllowedContainers:0, Jobs:AllowedContainers:1, ...
var allowedContainerSettings = toObject(
  range(0, length(jobsAllowedContainers)),
  i => 'Jobs__AllowedContainers__${i}',
  i => jobsAllowedContainers[i]
)

var commonSettings = union(hostStorageSettings, serverlessSettings, allowedContainerSettings)

// Key Vault references resolve as the user-assigned identity (keyVaultReferenceIdentity on the site).
var siteSecretSettings = {
  Metering__ApimSecret: '@Microsoft.KeyVault(SecretUri=${apimSharedSecretUri})'
  Metering__AdminKey: '@Microsoft.KeyVault(SecretUri=${meteringAdminKeyUri})'
}

var flexOnlySettings = {
  // Models:MaxLoadedBytes (default 4 GiB) counts model file bytes; on Flex the whole instance is instanceMemoryMB,
  // shared with the host, the worker and ONNX Runtime's working memory, so loaded models get half of it.
  Models__MaxLoadedBytes: string(instanceMemoryMB / 2 * 1024 * 1024)
}

var premiumOnlySettings = {
  // The one key-based connection: see core/storage/content-share.bicep. Read through Key Vault, never inlined.
  WEBSITE_CONTENTAZUREFILECONNECTIONSTRING: '@Microsoft.KeyVault(SecretUri=${contentShareSecretUri})'
  WEBSITE_CONTENTSHARE: contentShareName
  // The platform cannot validate a share behind a Key Vault reference; the share is created by Bicep instead.
  WEBSITE_SKIP_CONTENTSHARE_VALIDATION: '1'
  WEBSITE_RUN_FROM_PACKAGE: '1'
}

module premium '../core/host/functions-premium.bicep' = if (hostingPlan == 'premium') {
  name: 'functions-premium'
  params: {
    name: name
    planName: planName
    location: location
    tags: tags
    appTags: { 'azd-service-name': 'api' }
    sku: premiumSku
    alwaysReadyInstances: alwaysReadyInstances
    preWarmedInstances: preWarmedInstances
    maximumElasticWorkerCount: maximumElasticWorkerCount
    functionAppScaleLimit: functionAppScaleLimit
    identityId: identityId
    appSettings: union(commonSettings, workerRuntimeSettings, siteSecretSettings, premiumOnlySettings)
  }
}

module flex '../core/host/functions-flex.bicep' = if (hostingPlan == 'flex') {
  name: 'functions-flex'
  params: {
    name: name
    planName: planName
    location: location
    tags: tags
    appTags: { 'azd-service-name': 'api' }
    identityId: identityId
    blobEndpoint: blobEndpoint
    deploymentContainerName: deploymentContainerName
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    alwaysReadyScoreShardInstances: alwaysReadyScoreShardInstances
    appSettings: union(commonSettings, siteSecretSettings, flexOnlySettings)
  }
}

module containerApp '../core/host/functions-container-app.bicep' = if (hostingPlan == 'containerapps') {
  name: 'functions-container-app'
  params: {
    name: name
    location: location
    tags: appTags
    environmentId: containerAppsEnvironmentId
    workloadProfileName: workloadProfileName
    gpuProfile: gpuProfile
    containerImage: containerImage
    registryLoginServer: registryLoginServer
    identityId: identityId
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    appSettings: union(commonSettings, workerRuntimeSettings)
    keyVaultReferences: {
      Metering__ApimSecret: apimSharedSecretUri
      Metering__AdminKey: meteringAdminKeyUri
    }
    masterKeySecretUri: masterKeySecretUri
    hostKeySecretUri: hostKeySecretUri
    storageAccountName: storageAccountName
    jobsQueueName: jobsQueueName
    scaleRuleOverride: scaleRuleOverride
  }
}

output name string = hostingPlan == 'flex' ? flex!.outputs.name : hostingPlan == 'premium' ? premium!.outputs.name : containerApp!.outputs.name
output uri string = hostingPlan == 'flex' ? flex!.outputs.uri : hostingPlan == 'premium' ? premium!.outputs.uri : containerApp!.outputs.uri
