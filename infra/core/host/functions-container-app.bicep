// Azure Functions on Azure Container Apps (kind: functionapp): the same dotnet-isolated app, packaged as an image
// (functions/Serverless.Functions/Dockerfile), on the Consumption profile or a serverless GPU profile.
@description('Name of the container app.')
param name string

@description('Azure region of the container app.')
param location string

@description('Tags applied to the container app (including azd-service-name).')
param tags object = {}

@description('Resource ID of the Container Apps environment.')
param environmentId string

@description('Workload profile to run on: Consumption, or the GPU profile added to the environment.')
param workloadProfileName string

@allowed([ 'none', 'Consumption-GPU-NC8as-T4', 'Consumption-GPU-NC24-A100' ])
@description('GPU profile type behind workloadProfileName; sizes the container to the whole GPU node.')
param gpuProfile string

@description('Container image; empty deploys a public placeholder until `azd deploy` pushes the real image.')
param containerImage string

@description('Login server of the registry the image is pulled from with the managed identity.')
param registryLoginServer string

@description('Resource ID of the user-assigned identity the app runs as.')
param identityId string

@minValue(0)
@description('Minimum replicas; 0 scales to zero when idle (a cold start, longer with a GPU image, follows).')
param minReplicas int

@minValue(1)
@maxValue(1000)
@description('Maximum replicas.')
param maxReplicas int

@description('App settings, as name/value pairs, passed as environment variables.')
param appSettings object

@description('Environment variables read from Key Vault as the app identity: variable name to Key Vault secret URI.')
param keyVaultReferences object = {}

@description('Versionless Key Vault URI of the Functions master key (host.master).')
param masterKeySecretUri string

@description('Versionless Key Vault URI of the default Functions host key (host.function.default), the key API Management sends.')
param hostKeySecretUri string

@description('Name of the storage account whose queue drives the azure-queue scale rule.')
param storageAccountName string

@description('Queue the ScoreShard function listens on (its queue trigger).')
param jobsQueueName string

@minValue(1)
@description('Target messages per replica for the queue rule; keep equal to host.json extensions.queues.batchSize.')
param queueLengthPerReplica int = 4

@minValue(1)
@description('Target concurrent HTTP requests per replica for the HTTP rule.')
param concurrentRequestsPerReplica int = 20

@description('''false: the platform derives KEDA rules from the function triggers (HTTP + azure-queue on the jobs queue).
true: use the explicit rules below instead. The service accepts the override only on an existing app, so turn it on
after the first provision.''')
param scaleRuleOverride bool = false

// Serverless GPU replicas take the whole node; Consumption replicas can be up to 4 vCPU / 8 GiB.
var resourcesByProfile = {
  none: { cpu: json('2.0'), memory: '4Gi' }
  'Consumption-GPU-NC8as-T4': { cpu: json('8.0'), memory: '56Gi' }
  'Consumption-GPU-NC24-A100': { cpu: json('24.0'), memory: '220Gi' }
}

// Visible scale rules, used when scaleRuleOverride is true. Both authenticate as the app identity: no keys.
var scaleRules = [
  {
    name: 'http-concurrency'
    http: {
      metadata: {
        concurrentRequests: string(concurrentRequestsPerReplica)
      }
    }
  }
  {
    name: 'scoring-jobs-queue'
    custom: {
      type: 'azure-queue'
      identity: identityId
      metadata: {
        accountName: storageAccountName
        queueName: jobsQueueName
        queueLength: string(queueLengthPerReplica)
      }
    }
  }
]

var envSecrets = map(items(keyVaultReferences), secret => {
  env: secret.key
  name: toLower(replace(secret.key, '__', '-'))
  uri: secret.value
})

// Functions access keys live in the Container Apps secret store (AzureWebJobsSecretStorageType=containerapp):
// the host reads them from files under /run/secrets/functions-keys and never generates or writes them, so the
// key API Management holds is known at deployment time. Secret names allow only dashes; the file names are dotted.
var hostKeySecrets = [
  { name: 'host-master', path: 'host.master', uri: masterKeySecretUri }
  { name: 'host-function-default', path: 'host.function.default', uri: hostKeySecretUri }
]

resource app 'Microsoft.App/containerApps@2026-03-02-preview' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: workloadProfileName
    configuration: {
      activeRevisionsMode: 'Single'
      // Ingress must stay on: the platform's event-driven scaling of Functions depends on it.
      ingress: {
        external: true
        targetPort: 80
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        {
          server: registryLoginServer
          identity: identityId
        }
      ]
      secrets: [for secret in concat(envSecrets, hostKeySecrets): {
        name: secret.name
        keyVaultUrl: secret.uri
        identity: identityId
      }]
    }
    template: {
      containers: [
        {
          name: 'api'
          image: !empty(containerImage) ? containerImage : 'mcr.microsoft.com/azure-functions/dotnet8-quickstart-demo:1.0'
          env: concat(
            map(items(appSettings), setting => { name: setting.key, value: setting.value }),
            map(envSecrets, secret => { name: secret.env, secretRef: secret.name }),
            [ { name: 'AzureWebJobsSecretStorageType', value: 'containerapp' } ]
          )
          resources: resourcesByProfile[gpuProfile]
          volumeMounts: [
            {
              volumeName: 'functions-keys'
              mountPath: '/run/secrets/functions-keys'
            }
          ]
        }
      ]
      volumes: [
        {
          name: 'functions-keys'
          storageType: 'Secret'
          secrets: [for secret in hostKeySecrets: {
            secretRef: secret.name
            path: secret.path
          }]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        // Documented for kind=functionapp from API 2026-03-02-preview, but missing from Bicep 0.49's type for this API.
        #disable-next-line BCP037
        allowScalingRuleOverride: scaleRuleOverride
        // With the override off the service rejects user rules, so send none and let it derive them.
        rules: scaleRuleOverride ? scaleRules : []
      }
    }
  }
}

output name string = app.name
output id string = app.id
output uri string = 'https://${app.properties.configuration.ingress.fqdn}'
output hostName string = app.properties.configuration.ingress.fqdn
