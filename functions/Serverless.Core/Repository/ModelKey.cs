namespace Serverless.Core.Repository;

/// <summary>One version of one model: the unit that is fetched, loaded, evicted and measured.</summary>
public readonly record struct ModelKey(string Name, long Version)
{
    public override string ToString() => $"{Name} v{Version}";
}
