namespace Serverless.Core.Inference;

/// <summary>
/// Where a session runs. Decisions (budgets, batching layout, instance kind) compare this, never names; the name is
/// only reported (<see cref="ExecutionProviders.WireName"/>).
/// </summary>
public enum ExecutionProvider
{
    Cpu,
    Cuda,
}
