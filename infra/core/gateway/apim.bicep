// API Management on the Consumption tier (billed per call, nothing while idle), with an Application Insights
// logger; the diagnostic's `metrics: true` is what lets the emit-metric policy publish custom metrics.
@description('Name of the API Management service.')
param name string

@description('Azure region of the service.')
param location string

@description('Tags applied to the service.')
param tags object = {}

@description('Publisher email shown in the developer portal and used for service notifications.')
param publisherEmail string

@description('Publisher name shown in the developer portal.')
param publisherName string

@description('Resource ID of the Application Insights component that receives gateway logs and custom metrics.')
param applicationInsightsId string

@description('Name of that Application Insights component.')
param applicationInsightsName string

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource apim 'Microsoft.ApiManagement/service@2024-05-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Consumption'
    capacity: 0
  }
  properties: {
    publisherEmail: publisherEmail
    publisherName: publisherName
  }
}

resource logger 'Microsoft.ApiManagement/service/loggers@2024-05-01' = {
  parent: apim
  name: 'appinsights'
  properties: {
    loggerType: 'applicationInsights'
    resourceId: applicationInsightsId
    credentials: {
      instrumentationKey: applicationInsights.properties.InstrumentationKey
    }
  }
}

resource diagnostic 'Microsoft.ApiManagement/service/diagnostics@2024-05-01' = {
  parent: apim
  name: 'applicationinsights'
  properties: {
    loggerId: logger.id
    alwaysLog: 'allErrors'
    metrics: true
    sampling: {
      samplingType: 'fixed'
      percentage: 100
    }
  }
}

output name string = apim.name
output gatewayUrl string = apim.properties.gatewayUrl
