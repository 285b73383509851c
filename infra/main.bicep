// Serverless ONNX inference on Azure: wires the modules, nothing more.
// core/ holds one small module per resource family, app/ our composites (the api service, the gateway, RBAC).
targetScope = 'subscription'

import { productPlan } from 'types.bicep'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group (rg-<env>) and seeds the resource name token.')
param environmentName string

@minLength(1)
@description('Primary region for all resources. For a GPU, pick a region with Container Apps serverless GPUs.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object ID of the deploying user or CI identity; gets Storage Blob Data Contributor for the model upload. Empty to skip.')
param principalId string = ''

@allowed([ 'User', 'ServicePrincipal', 'Group' ])
@description('Type of principalId (ServicePrincipal when azd runs in CI).')
param principalType string = 'User'

@allowed([ 'flex', 'premium', 'containerapps' ])
@description('''Hosting plan. flex (default): Azure Functions Flex Consumption (Linux, CPU only, scales to zero, 2 or 4 GB per instance).
premium: Azure Functions Elastic Premium (Linux, CPU only, always-ready instances, no cold start).
containerapps: Azure Functions on Container Apps, scales to zero; the only plan where a GPU (gpuProfile) is possible.''')
param hostingPlan string = 'flex'

@allowed([ 2048, 4096 ])
@description('Flex only: memory per instance in MB, shared by the Functions host, the worker and the loaded models (CPU is proportional). Loaded models get half (Models__MaxLoadedBytes).')
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
@description('Flex only: largest number of instances the app may scale out to.')
param maximumInstanceCount int = 100

@minValue(1)
@maxValue(1000)
@description('Flex only: concurrent HTTP requests per instance before another is added (16 is the platform default for .NET at 2048 MB).')
param httpPerInstanceConcurrency int = 16

@minValue(0)
@maxValue(20)
@description('Flex only: always-ready instances for the HTTP functions, billed around the clock at the baseline rate; 0 scales to zero (cold start on the next call).')
param alwaysReadyHttpInstances int = 0

@minValue(0)
@maxValue(20)
@description('Flex only: always-ready instances for the ScoreShard queue function (its own scale group); 0 scales to zero.')
param alwaysReadyScoreShardInstances int = 0

@allowed([ 'EP1', 'EP2', 'EP3' ])
@description('Elastic Premium size when hostingPlan is premium: EP1 1 vCPU/3.5 GB, EP2 2 vCPU/7 GB, EP3 4 vCPU/14 GB.')
param premiumSku string = 'EP1'

@minValue(1)
@maxValue(20)
@description('Premium: always-ready (minimum) instances, billed around the clock. Premium never scales below one.')
param alwaysReadyInstances int = 1

@minValue(0)
@maxValue(20)
@description('Premium: pre-warmed instances kept ready ahead of scale-out (preWarmedInstanceCount).')
param preWarmedInstances int = 1

@minValue(1)
@maxValue(100)
@description('Premium: largest number of workers the plan may burst to (maximumElasticWorkerCount).')
param maximumElasticWorkerCount int = 20

@minValue(1)
@maxValue(100)
@description('Premium: largest number of instances the function app may scale out to (functionAppScaleLimit).')
param functionAppScaleLimit int = 10

@allowed([ 'none', 'Consumption-GPU-NC8as-T4', 'Consumption-GPU-NC24-A100' ])
@description('''Container Apps only: serverless GPU profile. none runs on the CPU Consumption profile;
Consumption-GPU-NC8as-T4 is one NVIDIA T4 (8 vCPU, 56 GiB); Consumption-GPU-NC24-A100 one A100 (24 vCPU, 220 GiB).
Needs serverless GPU quota in the region. Ignored on flex and premium, which have no GPU.''')
param gpuProfile string = 'none'

@minValue(0)
@maxValue(1000)
@description('Container Apps only: minimum replicas; 0 scales to zero when idle (cold start on the next call).')
param minReplicas int = 0

@minValue(1)
@maxValue(1000)
@description('Container Apps only: maximum replicas (each GPU replica holds a whole GPU).')
param maxReplicas int = 10

@description('Container Apps only: image to run. azd fills SERVICE_API_IMAGE_NAME after `azd deploy`; empty uses a placeholder.')
param containerImage string = ''

@description('Container Apps only: replace the platform-derived KEDA rules with the explicit HTTP and azure-queue rules. Enable on an existing app only.')
param containerAppScaleRuleOverride bool = false

@description('API Management publisher email (required by the service; receives its notifications).')
param apimPublisherEmail string

@description('API Management publisher name.')
param apimPublisherName string = 'Serverless'

@description('API Management products (plans) and their per-subscription rate limits and quotas.')
param apimProducts productPlan[] = [
  {
    name: 'free'
    displayName: 'Free'
    description: 'Evaluation: 10 calls per minute, 1,000 calls per day.'
    approvalRequired: false
    rateLimitCalls: 10
    rateLimitPeriodSeconds: 60
    quotaCalls: 1000
    quotaPeriodSeconds: 86400
  }
  {
    name: 'standard'
    displayName: 'Standard'
    description: 'Production: 600 calls per minute, 500,000 calls per day.'
    approvalRequired: true
    rateLimitCalls: 600
    rateLimitPeriodSeconds: 60
    quotaCalls: 500000
    quotaPeriodSeconds: 86400
  }
]

@secure()
@description('Shared secret API Management sends as X-Serverless-Apim-Secret. azd reuses the Key Vault copy; outside azd a new GUID rotates it.')
param apimSharedSecret string = newGuid()

@secure()
@description('Metering admin key (Metering__AdminKey) for the app\'s /manage endpoints. azd reuses the Key Vault copy.')
param meteringAdminKey string = newGuid()

@secure()
@description('Container Apps only: default Functions host key, the key API Management calls the app with. azd reuses the Key Vault copy.')
param functionHostKey string = newGuid()

@secure()
@description('Container Apps only: Functions master key (the secret store backend never generates one). azd reuses the Key Vault copy.')
param functionMasterKey string = newGuid()

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var isFlex = hostingPlan == 'flex'
var isPremium = hostingPlan == 'premium'
var isContainerApps = hostingPlan == 'containerapps'

var modelsContainerName = 'models'
var jobsQueueName = 'scoring-jobs'
var jobsContainers = [ 'jobs-input', 'jobs-output' ]
// Flex only: the code package azd deploys. Not in jobsContainers, so jobs can never read or overwrite it.
var deploymentContainerName = 'app-package'
var jobsTableName = 'jobs'
// The app's metering tables are <prefix>usage, <prefix>callers and <prefix>keys (MeteringTables.cs).
var meteringTablePrefix = 'serverless'
var functionAppName = isContainerApps ? '${abbrs.appContainerApps}api-${resourceToken}' : '${abbrs.webSitesFunctions}api-${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'core/security/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'core/storage/storage-account.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    containers: concat([ modelsContainerName ], jobsContainers, isFlex ? [ deploymentContainerName ] : [])
    queues: [ jobsQueueName, '${jobsQueueName}-poison' ]
    tables: concat([ jobsTableName ], map([ 'usage', 'callers', 'keys' ], table => '${meteringTablePrefix}${table}'))
  }
}

module keyVault 'core/security/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    secrets: union(
      { 'apim-shared-secret': apimSharedSecret, 'metering-admin-key': meteringAdminKey },
      isContainerApps ? { 'function-host-key': functionHostKey, 'function-master-key': functionMasterKey } : {}
    )
  }
}

module contentShare 'core/storage/content-share.bicep' = if (isPremium) {
  name: 'content-share'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}code${resourceToken}'
    location: location
    tags: tags
    shareName: functionAppName
    keyVaultName: keyVault.outputs.name
  }
}

module registry 'core/host/container-registry.bicep' = if (isContainerApps) {
  name: 'registry'
  scope: rg
  params: {
    name: '${abbrs.containerRegistryRegistries}${resourceToken}'
    location: location
    tags: tags
  }
}

module containerAppsEnvironment 'core/host/container-apps-environment.bicep' = if (isContainerApps) {
  name: 'container-apps-environment'
  scope: rg
  params: {
    name: '${abbrs.appManagedEnvironments}${resourceToken}'
    location: location
    tags: tags
    logAnalyticsName: monitoring.outputs.logAnalyticsName
    gpuProfile: gpuProfile
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    containerRegistryName: isContainerApps ? registry!.outputs.name : ''
    identityPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    hostingPlan: hostingPlan
    name: functionAppName
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    modelsContainerName: modelsContainerName
    jobsQueueName: jobsQueueName
    jobsAllowedContainers: jobsContainers
    jobsTableName: jobsTableName
    meteringTablePrefix: meteringTablePrefix
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    apimSharedSecretUri: '${keyVault.outputs.uri}secrets/apim-shared-secret'
    meteringAdminKeyUri: '${keyVault.outputs.uri}secrets/metering-admin-key'
    planName: '${abbrs.webServerFarms}${resourceToken}'
    deploymentContainerName: isFlex ? deploymentContainerName : ''
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    alwaysReadyScoreShardInstances: alwaysReadyScoreShardInstances
    premiumSku: premiumSku
    alwaysReadyInstances: alwaysReadyInstances
    preWarmedInstances: preWarmedInstances
    maximumElasticWorkerCount: maximumElasticWorkerCount
    functionAppScaleLimit: functionAppScaleLimit
    contentShareName: isPremium ? contentShare!.outputs.shareName : ''
    contentShareSecretUri: isPremium ? contentShare!.outputs.connectionSecretUri : ''
    containerAppsEnvironmentId: isContainerApps ? containerAppsEnvironment!.outputs.id : ''
    workloadProfileName: isContainerApps ? containerAppsEnvironment!.outputs.workloadProfileName : 'Consumption'
    gpuProfile: gpuProfile
    containerImage: containerImage
    registryLoginServer: isContainerApps ? registry!.outputs.loginServer : ''
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    scaleRuleOverride: containerAppScaleRuleOverride
    masterKeySecretUri: isContainerApps ? '${keyVault.outputs.uri}secrets/function-master-key' : ''
    hostKeySecretUri: isContainerApps ? '${keyVault.outputs.uri}secrets/function-host-key' : ''
  }
  // Key Vault references and the image pull resolve when the app is created: the roles must exist first.
  dependsOn: [ rbac ]
}

module apim 'core/gateway/apim.bicep' = {
  name: 'apim'
  scope: rg
  params: {
    name: '${abbrs.apiManagementService}${resourceToken}'
    location: location
    tags: tags
    publisherEmail: apimPublisherEmail
    publisherName: apimPublisherName
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module gateway 'app/gateway.bicep' = {
  name: 'gateway'
  scope: rg
  params: {
    apimName: apim.outputs.name
    hostingPlan: hostingPlan
    functionAppName: api.outputs.name
    functionAppUri: api.outputs.uri
    apimSharedSecret: apimSharedSecret
    containerAppsHostKey: isContainerApps ? functionHostKey : ''
    products: apimProducts
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_HOSTING_PLAN string = hostingPlan
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output AZURE_FUNCTION_NAME string = api.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output MODELS_CONTAINER_NAME string = modelsContainerName
output MODELS_CONTAINER_URL string = '${storage.outputs.blobEndpoint}${modelsContainerName}'
output JOBS_QUEUE_NAME string = jobsQueueName
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output APIM_NAME string = apim.outputs.name
output APIM_GATEWAY_URL string = apim.outputs.gatewayUrl
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = isContainerApps ? registry!.outputs.loginServer : ''
output AZURE_CONTAINER_REGISTRY_NAME string = isContainerApps ? registry!.outputs.name : ''
output AZURE_CONTAINER_APPS_ENVIRONMENT_ID string = isContainerApps ? containerAppsEnvironment!.outputs.id : ''
