using System.Text.Json;

namespace Serverless.Functions.Protocol.Http;

/// <summary>JSON settings of every protocol response: snake_case names, as the Open Inference Protocol and Triton use.</summary>
public static class ProtocolJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        // Responses are API payloads, never HTML: keep quotes in error messages readable instead of \u0027.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
