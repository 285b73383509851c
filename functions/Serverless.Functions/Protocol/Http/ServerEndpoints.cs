using System.Reflection;

namespace Serverless.Functions.Protocol.Http;

/// <summary>Server metadata: <c>GET /v2</c>.</summary>
public static class ServerEndpoints
{
    /// <summary>Protocol extensions this server implements, as Triton names them.</summary>
    public static readonly string[] Extensions = ["model_repository", "statistics", "binary_tensor_data"];

    private static readonly string Version =
        typeof(ServerEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static IEndpointRouteBuilder MapServerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v2", () => TypedResults.Json(new { name = "serverless", version = Version, extensions = Extensions }, ProtocolJson.Options));
        return app;
    }
}
