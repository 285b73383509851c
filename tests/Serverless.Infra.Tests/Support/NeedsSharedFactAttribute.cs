namespace Serverless.Infra.Tests.Support;

/// <summary>
/// A fact that reads ../shared beside the checkout (CI always has it): skipped, with the reason, on a clone that has
/// nothing beside it.
/// </summary>
public sealed class NeedsSharedFactAttribute : FactAttribute
{
    public NeedsSharedFactAttribute()
    {
        if (!File.Exists(Repository.AzdSchema))
        {
            Skip = $"needs azd's schema at ../shared/schemas/azure.yaml.json beside the checkout ({Repository.AzdSchema} is absent); CI always has it";
        }
    }
}
