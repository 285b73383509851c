// Container Apps environment with workload profiles. The serverless GPU profile is added only when one is asked
// for, so a CPU-only deployment never needs GPU quota.
@description('Name of the Container Apps environment.')
param name string

@description('Azure region of the environment (serverless GPUs exist only in some regions).')
param location string

@description('Tags applied to the environment.')
param tags object = {}

@description('Name of the Log Analytics workspace that receives container logs.')
param logAnalyticsName string

@allowed([ 'none', 'Consumption-GPU-NC8as-T4', 'Consumption-GPU-NC24-A100' ])
@description('Serverless GPU workload profile type to add, or none.')
param gpuProfile string

@description('Name given to the GPU workload profile inside the environment.')
param gpuProfileName string = 'gpu'

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-02-01' existing = {
  name: logAnalyticsName
}

var consumptionProfile = [
  {
    name: 'Consumption'
    workloadProfileType: 'Consumption'
  }
]
var gpuProfiles = gpuProfile == 'none' ? [] : [
  {
    name: gpuProfileName
    workloadProfileType: gpuProfile
  }
]

resource environment 'Microsoft.App/managedEnvironments@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logAnalytics.properties.customerId
        sharedKey: logAnalytics.listKeys().primarySharedKey
      }
    }
    workloadProfiles: concat(consumptionProfile, gpuProfiles)
  }
}

output id string = environment.id
output name string = environment.name
output workloadProfileName string = gpuProfile == 'none' ? 'Consumption' : gpuProfileName
