namespace Serverless.Core.Jobs;

/// <summary>An input file or output folder that passed the location policy: a blob URL or a full local path.</summary>
public sealed record JobLocation(string Value)
{
    public override string ToString() => Value;
}
