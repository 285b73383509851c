// The public face of the service: the function app's API (imported from its OpenAPI document) on API Management,
// products with per-plan rate limits and quotas, and a backend that calls the function app with its key.
import { productPlan } from '../types.bicep'

@description('Name of the existing API Management service.')
param apimName string

@description('Hosting plan of the function app behind the gateway.')
@allowed([ 'flex', 'premium', 'containerapps' ])
param hostingPlan string

@description('Name of the function app (Microsoft.Web/sites) when hostingPlan is flex or premium.')
param functionAppName string

@description('Base URL of the function app, for example https://func-abc.azurewebsites.net.')
param functionAppUri string

@secure()
@description('Shared secret sent to the app in X-Serverless-Apim-Secret (the app reads the same value from Key Vault).')
param apimSharedSecret string

@description('Products (plans) offered to subscribers, each with its own rate limit and quota.')
param products productPlan[]

resource apim 'Microsoft.ApiManagement/service@2024-05-01' existing = {
  name: apimName
}

@secure()
@description('Container Apps only: the default host key provisioned into the app\'s secret store. Ignored on Flex and Premium.')
param containerAppsHostKey string = ''

// Flex and Premium: read the app's default host key at deployment time (listKeys on the Functions host of the
// Microsoft.Web/sites app; a function key, not a storage key). Container Apps: the host reads its keys from the
// Container Apps secret store, which Bicep fills from Key Vault, so the same value is handed in here.
var functionKey = hostingPlan == 'containerapps'
  ? containerAppsHostKey
  : listKeys('${resourceId('Microsoft.Web/sites', functionAppName)}/host/default', '2024-11-01').functionKeys.default

resource functionKeyValue 'Microsoft.ApiManagement/service/namedValues@2024-05-01' = {
  parent: apim
  name: 'function-key'
  properties: {
    displayName: 'function-key'
    secret: true
    value: functionKey
  }
}

resource sharedSecretValue 'Microsoft.ApiManagement/service/namedValues@2024-05-01' = {
  parent: apim
  name: 'apim-shared-secret'
  properties: {
    displayName: 'apim-shared-secret'
    secret: true
    value: apimSharedSecret
  }
}

resource backend 'Microsoft.ApiManagement/service/backends@2024-05-01' = {
  parent: apim
  name: 'serverless-functions'
  properties: {
    protocol: 'http'
    url: functionAppUri
    // Added to every forwarded call, after the inbound policy has removed any client-sent copies. Set here rather
    // than with set-header so that secret values never pass through policy XML.
    credentials: {
      header: {
        'x-functions-key': [ '{{function-key}}' ]
        'X-Serverless-Apim-Secret': [ '{{apim-shared-secret}}' ]
      }
    }
  }
  dependsOn: [ functionKeyValue, sharedSecretValue ]
}

// The API is the code's: its operations come from the OpenAPI document generated from the function app's route table
// (GET /openapi.json serves the same document). infra/app/openapi.json is the build's copy, which a test in
// tests/Serverless.Tests keeps equal to what the code generates; no second route table lives here.
resource api 'Microsoft.ApiManagement/service/apis@2024-05-01' = {
  parent: apim
  name: 'open-inference'
  properties: {
    displayName: 'Open Inference Protocol'
    description: 'KServe Open Inference Protocol v2 over ONNX models, plus batch scoring jobs, usage and the admin API.'
    format: 'openapi+json'
    value: loadTextContent('openapi.json')
    // Empty suffix: clients call <gateway>/v2/models/{model}/infer exactly as the protocol spells it.
    path: ''
    protocols: [ 'https' ]
    serviceUrl: functionAppUri
    subscriptionRequired: true
    subscriptionKeyParameterNames: {
      header: 'Ocp-Apim-Subscription-Key'
      query: 'subscription-key'
    }
  }
}

resource apiPolicy 'Microsoft.ApiManagement/service/apis/policies@2024-05-01' = {
  parent: api
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: loadTextContent('policies/api.xml')
  }
  dependsOn: [ backend ]
}

resource apimProducts 'Microsoft.ApiManagement/service/products@2024-05-01' = [for product in products: {
  parent: apim
  name: product.name
  properties: {
    displayName: product.displayName
    description: product.description
    subscriptionRequired: true
    approvalRequired: product.approvalRequired
    state: 'published'
  }
}]

resource productApis 'Microsoft.ApiManagement/service/products/apis@2024-05-01' = [for (product, i) in products: {
  parent: apimProducts[i]
  name: api.name
}]

var productPolicyTemplate = loadTextContent('policies/product.xml')

resource productPolicies 'Microsoft.ApiManagement/service/products/policies@2024-05-01' = [for (product, i) in products: {
  parent: apimProducts[i]
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: replace(replace(replace(replace(productPolicyTemplate,
      '__RATE_LIMIT_CALLS__', string(product.rateLimitCalls)),
      '__RATE_LIMIT_PERIOD__', string(product.rateLimitPeriodSeconds)),
      '__QUOTA_CALLS__', string(product.quotaCalls)),
      '__QUOTA_PERIOD__', string(product.quotaPeriodSeconds))
  }
}]

output apiName string = api.name
output productNames string[] = [for product in products: product.name]
