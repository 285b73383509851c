using System.Text.Json;
using Serverless.FunctionsHost.Tests.StandIn.Protocol;

namespace Serverless.FunctionsHost.Tests.StandIn;

/// <summary>A function as the worker indexed it, with its trigger binding read from the raw binding JSON.</summary>
public sealed class WorkerFunction
{
    public WorkerFunction(RpcFunctionMetadata metadata)
    {
        Metadata = metadata;
        Bindings = metadata.RawBindings.Select(raw => JsonDocument.Parse(raw).RootElement.Clone()).ToList();
        Trigger = Bindings.SingleOrDefault(b => Text(b, "type")?.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase) == true);
    }

    public RpcFunctionMetadata Metadata { get; }

    public string Id => Metadata.FunctionId;

    public string Name => Metadata.Name;

    public IReadOnlyList<JsonElement> Bindings { get; }

    public JsonElement? Trigger { get; }

    public string? TriggerType => Trigger is { } trigger ? Text(trigger, "type") : null;

    /// <summary>The trigger parameter's name: the input the invocation must fill.</summary>
    public string TriggerName => Trigger is { } trigger ? Text(trigger, "name")! : throw new InvalidOperationException($"{Name} has no trigger binding");

    public bool IsHttp => string.Equals(TriggerType, "httpTrigger", StringComparison.OrdinalIgnoreCase);

    public bool IsQueue => string.Equals(TriggerType, "queueTrigger", StringComparison.OrdinalIgnoreCase);

    /// <summary>The HTTP route template; the function name when the trigger names none (the host's default).</summary>
    public string Route => Trigger is { } trigger && Text(trigger, "route") is { Length: > 0 } route ? route : Name;

    /// <summary>Upper-case verbs; empty when the trigger takes every method.</summary>
    public IReadOnlyList<string> Methods =>
        Trigger is { } trigger && trigger.TryGetProperty("methods", out var methods) && methods.ValueKind == JsonValueKind.Array
            ? methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).ToList()
            : [];

    public override string ToString() => Name;

    private static string? Text(JsonElement binding, string property) =>
        binding.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
