namespace Serverless.Functions.Protocol.Invocation;

/// <summary>The reply a custom handler owes the Functions host: <c>{"Outputs": {}, "Logs": [...], "ReturnValue": null}</c>.</summary>
public sealed record InvocationResponse(IReadOnlyDictionary<string, object?> Outputs, IReadOnlyList<string> Logs, object? ReturnValue)
{
    public static InvocationResponse WithLogs(params string[] logs) => new(new Dictionary<string, object?>(), logs, null);
}
