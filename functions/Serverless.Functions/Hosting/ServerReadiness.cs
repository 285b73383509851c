namespace Serverless.Functions.Hosting;

/// <summary>Whether /v2/health/ready says yes: once the models in Models:Preload are loaded.</summary>
public sealed class ServerReadiness
{
    private volatile string? _notReadyReason = "starting";

    public bool IsReady => _notReadyReason is null;

    public string Reason => _notReadyReason ?? "";

    public void MarkReady() => _notReadyReason = null;

    public void MarkNotReady(string reason) => _notReadyReason = reason;
}
