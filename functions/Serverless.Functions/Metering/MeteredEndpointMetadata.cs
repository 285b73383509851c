namespace Serverless.Functions.Metering;

/// <summary>Endpoint metadata marking a metered call: refusing it for a missing or wrong key leaves a rejected usage record.</summary>
public sealed class MeteredEndpointMetadata
{
    public static readonly MeteredEndpointMetadata Instance = new();
}
