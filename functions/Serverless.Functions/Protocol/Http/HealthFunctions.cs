using Microsoft.Azure.Functions.Worker;
using Serverless.Functions.Hosting;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Protocol.Http;

/// <summary>Liveness and readiness, open to anyone (and anonymous at the Functions host, so probes need no key).</summary>
public sealed class HealthFunctions(ServerReadiness readiness)
{
    [Function("HealthLive")]
    [ApiOperation("Health", "Liveness: the server answers", Response = ApiSchemas.ServerLive)]
    [EndpointAccess(EndpointAccess.Open)]
    public IResult Live([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "v2/health/live")] HttpRequest request) =>
        TypedResults.Ok(new { live = true });

    [Function("HealthReady")]
    [ApiOperation("Health", "Readiness: the server can serve models (503 with the reason when not)", Response = ApiSchemas.ServerReady)]
    [EndpointAccess(EndpointAccess.Open)]
    public IResult Ready([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "v2/health/ready")] HttpRequest request) =>
        readiness.IsReady
            ? TypedResults.Ok(new { ready = true })
            : TypedResults.Json(new { ready = false, error = readiness.Reason }, ProtocolJson.Options, statusCode: StatusCodes.Status503ServiceUnavailable);
}
