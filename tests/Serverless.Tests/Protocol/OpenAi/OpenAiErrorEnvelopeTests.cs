using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Serverless.Core.Errors;
using Serverless.Core.Metering.Errors;
using Serverless.Functions.Protocol.Http;
using Serverless.Functions.Protocol.OpenAi;

namespace Serverless.Tests.Protocol.OpenAi;

public sealed class OpenAiErrorEnvelopeTests
{
    private static async Task<(HttpResponse Response, JsonElement Body)> WriteAsync(string path, int status, string message, Exception? error, int? retryAfter = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        var body = new MemoryStream();
        context.Response.Body = body;
        await ErrorResponse.WriteAsync(context, status, message, retryAfter, error: error);
        return (context.Response, JsonDocument.Parse(body.ToArray()).RootElement);
    }

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/openai/v1/embeddings")]
    [InlineData("/v1/no/such/route")]
    public async Task ErrorResponse_OpenAiPath_OpenAisEnvelope(string path)
    {
        var (response, body) = await WriteAsync(path, 400, "'messages' is required", new OpenAiInvalidRequestException("'messages' is required", "messages"));

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.ContentType);
        Assert.Equal("""{"error":{"message":"'messages' is required","type":"invalid_request_error","param":"messages","code":null}}""", body.GetRawText());
    }

    [Theory]
    [InlineData("/v2/models/m/generate")]
    [InlineData("/v1x/models")]
    [InlineData("/openai/v2")]
    public async Task ErrorResponse_OtherPath_ProductsErrorBody(string path)
    {
        var (_, body) = await WriteAsync(path, 404, "no such model", new ModelNotFoundException("no such model"));

        Assert.Equal("""{"error":"no such model"}""", body.GetRawText());
    }

    [Fact]
    public async Task ErrorResponse_OpenAi429_RetryAfterHeaderAndRateLimitCode()
    {
        var (response, body) = await WriteAsync("/v1/embeddings", 429, "slow down", new RateLimitExceededException("slow down") { RetryAfterSeconds = 7 }, 7);

        Assert.Equal("7", response.Headers.RetryAfter.ToString());
        Assert.Equal("requests", body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal("rate_limit_exceeded", body.GetProperty("error").GetProperty("code").GetString());
    }

    public static TheoryData<int, Exception?, string, string?> Classified() => new()
    {
        { 401, new UnauthorizedCallerException("no key"), "invalid_request_error", "invalid_api_key" },
        { 403, new UsageAccessDeniedException("not yours"), "invalid_request_error", null },
        { 404, new ModelNotFoundException("no model"), "invalid_request_error", "model_not_found" },
        { 404, null, "invalid_request_error", null },
        { 413, new RequestTooLargeException("too big"), "invalid_request_error", null },
        { 429, new QuotaExceededException("spent"), "insufficient_quota", "insufficient_quota" },
        { 503, new ModelLoadException("cannot load"), "server_error", null },
        { 500, null, "server_error", null },
    };

    [Theory]
    [MemberData(nameof(Classified))]
    public async Task ErrorResponse_OpenAiPath_TypeAndCodeAsOpenAiSendsThem(int status, Exception? error, string type, string? code)
    {
        var (_, body) = await WriteAsync("/v1/models", status, "message", error);

        var envelope = body.GetProperty("error");
        Assert.Equal("message", envelope.GetProperty("message").GetString());
        Assert.Equal(type, envelope.GetProperty("type").GetString());
        Assert.Equal(code, envelope.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, envelope.GetProperty("param").ValueKind);
    }
}
