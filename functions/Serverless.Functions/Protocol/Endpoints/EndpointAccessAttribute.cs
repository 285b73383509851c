namespace Serverless.Functions.Protocol.Endpoints;

/// <summary>
/// Marks an HTTP function with who may call it. Read by <see cref="EndpointCatalog"/> for both hosts, so the rule
/// sits next to the route it guards.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EndpointAccessAttribute(EndpointAccess access) : Attribute
{
    public static readonly EndpointAccessAttribute Default = new(EndpointAccess.Caller);

    public EndpointAccess Access { get; } = access;

    /// <summary>Served only while Metering:Enabled (callers, keys and usage mean nothing without it); a 404 otherwise.</summary>
    public bool RequiresMetering { get; init; }
}
