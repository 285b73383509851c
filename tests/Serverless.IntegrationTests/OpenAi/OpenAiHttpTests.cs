using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Serverless.Core.Errors;
using Serverless.Core.Metering.Errors;
using Serverless.Tests.Protocol.OpenAi;

namespace Serverless.Tests.OpenAi;

/// <summary>The text routes on the wire: error envelopes raised anywhere in the pipeline, SSE framing, disconnects, Triton's generate.</summary>
public sealed class OpenAiHttpTests(OpenAiServerFixture server) : IClassFixture<OpenAiServerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private HttpClient Client => server.Host.Client;

    private static HttpRequestMessage Post(string path, string json, string? key = OpenAiServerFixture.Key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return request;
    }

    private async Task<(HttpResponseMessage Response, JsonElement Error)> SendForErrorAsync(HttpRequestMessage request)
    {
        var response = await Client.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response, json.RootElement.GetProperty("error").Clone());
    }

    private static List<string> DataLines(string body)
    {
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e));
        return [.. events.Select(e => e["data: ".Length..])];
    }

    [Fact]
    public async Task ChatCompletions_MissingMessages_400EnvelopeNamingTheParam()
    {
        var (response, error) = await SendForErrorAsync(Post("/v1/chat/completions", """{"model": "tiny"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("messages", error.GetProperty("param").GetString());
        Assert.Equal("'messages' is required", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Embeddings_NoKey_401EnvelopeFromAuthentication()
    {
        var (response, error) = await SendForErrorAsync(Post("/openai/v1/embeddings", """{"model": "m", "input": "x"}""", key: null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Contains("API key is required", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Embeddings_BodyOverTheLimit_413EnvelopeNamingTheSetting()
    {
        var input = new string('x', OpenAiServerFixture.MaxRequestBytes);

        var (response, error) = await SendForErrorAsync(Post("/v1/embeddings", $$"""{"model": "m", "input": "{{input}}"}"""));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("OpenAi:MaxRequestBytes", error.GetProperty("message").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Embeddings_RateLimited_429EnvelopeWithRetryAfter()
    {
        server.Embeddings.Current = new FakeTextEmbeddings { RefuseWith = new RateLimitExceededException("caller 'admin' is over 2 requests per second") { RetryAfterSeconds = 5 } };

        var (response, error) = await SendForErrorAsync(Post("/v1/embeddings", """{"model": "m", "input": "x"}"""));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("caller 'admin' is over 2 requests per second", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ChatCompletions_ConcurrencyLimit_429EnvelopeWithRetryAfter()
    {
        server.Generation.Current = new FakeTextGeneration { RefuseWith = new RateLimitExceededException("all 2 generation slots of tiny v1 are busy") { RetryAfterSeconds = 1 } };

        var (response, error) = await SendForErrorAsync(Post("/v1/chat/completions", """{"model": "tiny", "messages": [{"role": "user", "content": "x"}], "stream": true}"""));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal("requests", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Models_UnknownModel_404EnvelopeModelNotFound()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models/iris-mlp:99");
        request.Headers.Add("api-key", OpenAiServerFixture.Key);

        var (response, error) = await SendForErrorAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task UnknownOpenAiPath_404Envelope()
    {
        var (response, error) = await SendForErrorAsync(Post("/v1/responses", "{}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task ChatCompletions_Get_405EnvelopeWithAllow()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/chat/completions");

        var (response, error) = await SendForErrorAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Models_List_OpenAisListShape()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openai/v1/models");
        request.Headers.Add("api-key", OpenAiServerFixture.Key);

        using var response = await Client.SendAsync(request);

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("list", json.RootElement.GetProperty("object").GetString());
        var iris = json.RootElement.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "iris-mlp");
        Assert.Equal(["id", "object", "created", "owned_by"], iris.EnumerateObject().Select(p => p.Name));
        Assert.Equal("model", iris.GetProperty("object").GetString());
    }

    [Fact]
    public async Task Completions_StreamedWithUsage_TextChunksUsageChunkThenDone()
    {
        server.Generation.Current = new FakeTextGeneration { Pieces = ["x", "y"] };

        using var response = await Client.SendAsync(Post("/v1/completions",
            """{"model": "tiny", "prompt": "Once", "stream": true, "stream_options": {"include_usage": true}}"""));

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var data = DataLines(await response.Content.ReadAsStringAsync());
        Assert.Equal("[DONE]", data[^1]);
        var chunks = data[..^1].Select(d => JsonDocument.Parse(d).RootElement).ToList();
        Assert.Equal(["x", "y", ""], chunks[..3].Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString()));
        Assert.Equal("stop", chunks[2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(0, chunks[3].GetProperty("choices").GetArrayLength());
        Assert.Equal(5, chunks[3].GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task ChatCompletions_ClientDisconnectsMidStream_GeneratorCancelledAndStreamDisposed()
    {
        var fake = server.Generation.Current = new FakeTextGeneration { HangAfterFirstPiece = true };
        var response = await Client.SendAsync(Post("/v1/chat/completions", """{"model": "tiny", "messages": [{"role": "user", "content": "x"}], "stream": true}"""),
            HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        // The role chunk, then the first piece: the generation is under way when the client leaves.
        while (await reader.ReadLineAsync() is { } line && !line.Contains("\"content\":\"Hello\"", StringComparison.Ordinal))
        {
        }

        response.Dispose();

        await fake.Cancelled.Task.WaitAsync(Patience);
        await fake.Disposed.Task.WaitAsync(Patience);
    }

    [Fact]
    public async Task ChatCompletions_FailureMidStream_ErrorEventThenDone()
    {
        server.Generation.Current = new FakeTextGeneration { FailMidStreamWith = new ModelRunException("the decoder failed") };

        using var response = await Client.SendAsync(Post("/openai/v1/chat/completions", """{"model": "tiny", "messages": [{"role": "user", "content": "x"}], "stream": true}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var data = DataLines(await response.Content.ReadAsStringAsync());
        Assert.Equal("[DONE]", data[^1]);
        Assert.Equal("""{"error":{"message":"the decoder failed","type":"server_error","param":null,"code":null}}""", data[^2]);
    }

    [Fact]
    public async Task Generate_TextInput_TextOutputWithModelVersionAndCounts()
    {
        var fake = server.Generation.Current = new FakeTextGeneration();

        using var response = await Client.SendAsync(Post("/v2/models/tiny/versions/2/generate", """{"text_input": "Once", "parameters": {"max_tokens": 4, "stop": ["."]}}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"model_name":"tiny","model_version":"2","text_output":"Hello, world","finish_reason":"stop","num_input_tokens":3,"num_output_tokens":3}""",
            await response.Content.ReadAsStringAsync());
        Assert.Equal("tiny:2", Assert.Single(fake.Calls).Request.Model);
    }

    [Fact]
    public async Task GenerateStream_TextInput_OneEventPerPieceAndNoDone()
    {
        server.Generation.Current = new FakeTextGeneration { Pieces = ["a", "b"] };

        using var response = await Client.SendAsync(Post("/v2/models/tiny/generate_stream", """{"text_input": "Once"}"""));

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            [
                """{"model_name":"tiny","model_version":"1","text_output":"a"}""",
                """{"model_name":"tiny","model_version":"1","text_output":"b"}""",
                """{"model_name":"tiny","model_version":"1","text_output":"","finish_reason":"stop","num_input_tokens":3,"num_output_tokens":2}""",
            ],
            DataLines(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task GenerateStream_RefusedBeforeStart_JsonErrorWithItsStatus()
    {
        server.Generation.Current = new FakeTextGeneration { RefuseWith = new ModelNotFoundException("Request for unknown model: 'tiny' is not found in the model repository") };

        using var response = await Client.SendAsync(Post("/v2/models/tiny/generate_stream", """{"text_input": "Once"}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("""{"error":"Request for unknown model: 'tiny' is not found in the model repository"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GenerateStream_FailureAfterStart_ErrorEvent()
    {
        server.Generation.Current = new FakeTextGeneration { Pieces = ["a"], FailMidStreamWith = new ModelRunException("the decoder failed") };

        using var response = await Client.SendAsync(Post("/v2/models/tiny/generate_stream", """{"text_input": "Once"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"error":"the decoder failed"}""", DataLines(await response.Content.ReadAsStringAsync())[^1]);
    }

    [Fact]
    public async Task Generate_MissingTextInput_400InTheV2ErrorBody()
    {
        using var response = await Client.SendAsync(Post("/v2/models/tiny/generate", """{"parameters": {}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("""{"error":"'text_input' is required"}""", await response.Content.ReadAsStringAsync());
    }
}
