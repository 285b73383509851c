namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// Where the OpenAI-compatible routes live: <c>/v1/...</c>, as OpenAI, vLLM and Triton's OpenAI frontend serve them,
/// and <c>/openai/v1/...</c>, KServe's prefix (its <c>KSERVE_OPENAI_ROUTE_PREFIX</c> default), so a client configured
/// for either finds them. Errors on these paths are written in OpenAI's envelope.
/// </summary>
public static class OpenAiRoutes
{
    public const string Bare = "v1/";

    public const string KServe = "openai/v1/";

    /// <summary>Whether <paramref name="path"/> is under either prefix, a route of this server or not (an unknown <c>/v1/...</c> path gets the envelope too).</summary>
    public static bool Owns(PathString path) =>
        path.StartsWithSegments("/v1", StringComparison.Ordinal) || path.StartsWithSegments("/openai/v1", StringComparison.Ordinal);
}
