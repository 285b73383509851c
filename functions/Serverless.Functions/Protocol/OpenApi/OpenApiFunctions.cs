using Microsoft.Azure.Functions.Worker;
using Serverless.Functions.Protocol.Endpoints;

namespace Serverless.Functions.Protocol.OpenApi;

/// <summary><c>GET /openapi.json</c>: this server's API, generated from its route table (see <see cref="OpenApiDocumentFactory"/>).</summary>
public static class OpenApiFunctions
{
    [Function("OpenApiDocument")]
    [EndpointAccess(EndpointAccess.Open)]
    [ApiOperation("Reference", "This document: the API as OpenAPI 3.0", Response = ApiSchemas.OpenApiDocument)]
    public static IResult Document([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "openapi.json")] HttpRequest request) =>
        TypedResults.Text(OpenApiDocumentFactory.Json, "application/json; charset=utf-8");
}
