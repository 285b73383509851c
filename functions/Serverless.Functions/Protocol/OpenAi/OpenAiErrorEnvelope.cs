using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Metering.Errors;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// OpenAI's error body, <c>{"error": {"message", "type", "param", "code"}}</c>, for a failure whose status
/// <see cref="ServerlessException.StatusOf"/> decided. OpenAI's SDKs read <c>message</c> into their exceptions and
/// branch on <c>type</c>/<c>code</c>, so both follow what OpenAI itself sends for the same status: 4xx are
/// <c>invalid_request_error</c> (401 with code <c>invalid_api_key</c>, an unknown model <c>model_not_found</c>), a spent
/// quota <c>insufficient_quota</c>, a rate limit <c>requests</c>/<c>rate_limit_exceeded</c>, 5xx <c>server_error</c>.
/// </summary>
public static class OpenAiErrorEnvelope
{
    public static void Write(Utf8JsonWriter json, int statusCode, string message, Exception? error)
    {
        var (type, code) = Classify(statusCode, error);
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("message", message);
        json.WriteString("type", type);
        WriteNullable(json, "param", (error as OpenAiInvalidRequestException)?.Param);
        WriteNullable(json, "code", code);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static byte[] ToUtf8(int statusCode, string message, Exception? error)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, OpenAiJson.WriterOptions))
        {
            Write(json, statusCode, message, error);
        }
        return buffer.ToArray();
    }

    private static (string Type, string? Code) Classify(int statusCode, Exception? error) => (statusCode, error) switch
    {
        (_, OpenAiInvalidRequestException invalid) => ("invalid_request_error", invalid.Code),
        (StatusCodes.Status401Unauthorized, _) => ("invalid_request_error", "invalid_api_key"),
        (StatusCodes.Status404NotFound, ModelNotFoundException) => ("invalid_request_error", "model_not_found"),
        (StatusCodes.Status429TooManyRequests, QuotaExceededException) => ("insufficient_quota", "insufficient_quota"),
        (StatusCodes.Status429TooManyRequests, _) => ("requests", "rate_limit_exceeded"),
        ( >= 500, _) => ("server_error", null),
        _ => ("invalid_request_error", null),
    };

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
