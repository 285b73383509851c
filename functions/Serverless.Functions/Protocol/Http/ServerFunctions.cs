using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Serverless.Functions.Protocol.Http;

/// <summary>Server metadata: <c>GET /v2</c>.</summary>
public sealed class ServerFunctions
{
    /// <summary>Protocol extensions this server implements, as Triton names them.</summary>
    public static readonly string[] Extensions = ["model_repository", "statistics", "binary_tensor_data", "model_configuration"];

    private static readonly string Version =
        typeof(ServerFunctions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    [Function("ServerMetadata")]
    [ApiOperation("Server", "Server metadata: name, version, protocol extensions", Response = ApiSchemas.ServerMetadata)]
    public IResult Metadata([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "v2")] HttpRequest request) =>
        TypedResults.Json(new { name = "serverless", version = Version, extensions = Extensions }, ProtocolJson.Options);
}
