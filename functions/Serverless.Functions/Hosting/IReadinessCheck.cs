namespace Serverless.Functions.Hosting;

/// <summary>
/// A condition besides the preload that keeps /v2/health/ready at 503 while it holds (liveness stays 200: restarting
/// the process would not cure it).
/// </summary>
public interface IReadinessCheck
{
    /// <summary>Why the server is not ready, in terms an operator acts on; null while the condition does not hold.</summary>
    string? NotReadyReason { get; }
}
