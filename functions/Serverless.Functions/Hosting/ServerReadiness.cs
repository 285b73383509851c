namespace Serverless.Functions.Hosting;

/// <summary>
/// Whether /v2/health/ready says yes: once the models in Models:Preload are loaded, and while no
/// <see cref="IReadinessCheck"/> holds.
/// </summary>
public sealed class ServerReadiness(IEnumerable<IReadinessCheck> checks)
{
    private readonly IReadinessCheck[] _checks = [.. checks];
    private volatile Func<string>? _notReadyReason = () => "starting";

    public ServerReadiness()
        : this([])
    {
    }

    public bool IsReady => _notReadyReason is null && Array.TrueForAll(_checks, c => c.NotReadyReason is null);

    public string Reason => _notReadyReason?.Invoke() ?? _checks.Select(c => c.NotReadyReason).FirstOrDefault(r => r is not null) ?? "";

    public void MarkReady() => _notReadyReason = null;

    public void MarkNotReady(string reason) => _notReadyReason = () => reason;

    /// <summary>A reason worked out when asked, e.g. how far a preload has got.</summary>
    public void MarkNotReady(Func<string> reason) => _notReadyReason = reason;
}
