// Shared parameter types.

@export()
@description('An API Management product (a subscription plan) and its limits.')
type productPlan = {
  @description('Product id, used in URLs and subscriptions, for example free.')
  name: string

  @description('Name shown in the developer portal.')
  displayName: string

  @description('What the plan offers.')
  description: string

  @description('Whether an administrator must approve new subscriptions.')
  approvalRequired: bool

  @description('Calls allowed per subscription within rateLimitPeriodSeconds (rate-limit policy).')
  rateLimitCalls: int

  @minValue(1)
  @maxValue(300)
  @description('Rate-limit window in seconds (the policy allows at most 300).')
  rateLimitPeriodSeconds: int

  @description('Calls allowed per subscription within quotaPeriodSeconds (quota policy).')
  quotaCalls: int

  @description('Quota renewal period in seconds, for example 86400 for a daily quota.')
  quotaPeriodSeconds: int
}
