using Serverless.Core.Errors;

namespace Serverless.Functions.Protocol.Endpoints;

/// <summary>An endpoint that exists in the route table but is switched off by configuration: 404, as an unknown path would be.</summary>
public sealed class EndpointNotServedException(string message) : ServerlessException(message, 404);
