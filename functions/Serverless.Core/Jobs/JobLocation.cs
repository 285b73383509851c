namespace Serverless.Core.Jobs;

/// <summary>
/// An input file or output folder that passed the location policy: <see cref="Value"/> is the blob URL or the full
/// local path the service uses, <see cref="Name"/> the location as the job gave it. Messages a caller may read use the
/// name (it is what <see cref="ToString"/> gives), so they never show the server's own paths.
/// </summary>
public sealed record JobLocation(string Value, string Name)
{
    public override string ToString() => Name;
}
