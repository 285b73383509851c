namespace Serverless.Functions.Hosting;

/// <summary>Whether /v2/health/ready says yes: once the models in Models:Preload are loaded.</summary>
public sealed class ServerReadiness
{
    private volatile Func<string>? _notReadyReason = () => "starting";

    public bool IsReady => _notReadyReason is null;

    public string Reason => _notReadyReason?.Invoke() ?? "";

    public void MarkReady() => _notReadyReason = null;

    public void MarkNotReady(string reason) => _notReadyReason = () => reason;

    /// <summary>A reason worked out when asked, e.g. how far a preload has got.</summary>
    public void MarkNotReady(Func<string> reason) => _notReadyReason = reason;
}
