namespace Serverless.Tests.Fixtures;

/// <summary>A theory over ../shared material: skipped with the reason when ../shared is absent (see <see cref="NeedsSharedFactAttribute"/>).</summary>
public sealed class NeedsSharedTheoryAttribute : TheoryAttribute
{
    public NeedsSharedTheoryAttribute()
    {
        Skip = SharedMaterial.SkipReason;
    }
}
