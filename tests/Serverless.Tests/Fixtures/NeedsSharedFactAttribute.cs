namespace Serverless.Tests.Fixtures;

/// <summary>
/// A fact that reads ../shared beside the checkout (CI always has it): skipped, with the reason, on a clone that has
/// nothing beside it, instead of failing on a missing folder.
/// </summary>
public sealed class NeedsSharedFactAttribute : FactAttribute
{
    public NeedsSharedFactAttribute()
    {
        Skip = SharedMaterial.SkipReason;
    }
}
