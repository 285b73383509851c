using System.Net;
using System.Text.Json;
using Serverless.SampleModels.Text;
using Serverless.Tests.Metering;
using Serverless.Tests.Core.Text.Generation;

namespace Serverless.Tests.Text;

/// <summary>
/// The real tiny decoder behind every generation route on a running server: greedy output equals GenAI's own loop token
/// for token, streams concatenate to the whole answer, usage equals the ledger priced apart, and the bounds (context,
/// concurrency) and a disconnect behave as documented.
/// </summary>
[Collection(TextGenerationServerFixture.Collection)]
public sealed class TinyDecoderOverHttpTests(TextGenerationServerFixture server)
{
    private const string Tiny = TextGenerationServerFixture.Tiny;

    private HttpClient Client => server.Host.Client;

    private GenAiGreedyReference Reference => server.Reference;

    private static string Json(object value) => JsonSerializer.Serialize(value);

    private static string ChatMl(params (string Role, string Content)[] messages) => GenAiGreedyReference.ChatMl(messages);

    private GreedyAnswer Expected(int[] prompt, int maxTokens) => Reference.Answer(prompt, maxTokens);

    private async Task<JsonElement> PostOkAsync(string path, object body)
    {
        var (status, json) = await TextHttp.SendJsonAsync(Client, TextHttp.Post(path, Json(body), server.Key));
        Assert.True(status == HttpStatusCode.OK, json.GetRawText());
        return json;
    }

    private async Task<(HttpResponseMessage Response, ServerSentEvents Events)> OpenStreamAsync(string path, object body)
    {
        var response = await Client.SendAsync(TextHttp.Post(path, Json(body), server.Key), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return (response, new ServerSentEvents(await response.Content.ReadAsStreamAsync()));
    }

    private async Task<List<string>> StreamAsync(string path, object body)
    {
        var (response, events) = await OpenStreamAsync(path, body);
        using (response)
        using (events)
        {
            return await events.RestAsync();
        }
    }

    private static string TextOf(JsonElement chunk, string property) =>
        chunk.GetProperty("choices") is { ValueKind: JsonValueKind.Array } choices && choices.GetArrayLength() > 0
            ? ChunkText(choices[0], property)
            : "";

    private static string ChunkText(JsonElement choice, string property) => property == "delta"
        ? choice.GetProperty("delta").TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String ? content.GetString()! : ""
        : choice.GetProperty(property).GetString() ?? "";

    [Fact]
    public async Task Completions_Greedy_EqualsGenAisOwnLoopTokenForToken()
    {
        const string prompt = "Hello world, how are you";
        var expected = Expected(Reference.Tokens(prompt), 40);

        var response = await PostOkAsync("/v1/completions", new { model = Tiny, prompt, max_tokens = 40, temperature = 0 });

        var choice = Assert.Single(response.GetProperty("choices").EnumerateArray());
        Assert.Equal(expected.Text, choice.GetProperty("text").GetString());
        Assert.Equal(expected.FinishReason, choice.GetProperty("finish_reason").GetString());
        Assert.Equal(Reference.Tokens(prompt).Length, response.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(expected.CompletionTokens, response.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task CompletionsStreamed_OneChunkPerTokenOfGenAisLoop()
    {
        const string prompt = "The server";
        var expected = Expected(Reference.Tokens(prompt), 30);

        var data = await StreamAsync("/v1/completions", new { model = Tiny, prompt, max_tokens = 30, temperature = 0, stream = true });

        Assert.Equal("[DONE]", data[^1]);
        var pieces = data[..^1].Select(d => TextOf(JsonDocument.Parse(d).RootElement, "text")).Where(t => t.Length > 0);
        Assert.Equal(expected.Pieces.Where(p => p.Length > 0), pieces);
    }

    [Fact]
    public async Task ChatCompletions_Greedy_EqualsGenAisLoopOnTheChatTemplatesTokens()
    {
        var prompt = Reference.Tokens(ChatMl(("system", "Be brief."), ("user", "Say hello")));
        var expected = Expected(prompt, 50);

        var response = await PostOkAsync("/v1/chat/completions", new
        {
            model = Tiny,
            messages = new[] { new { role = "system", content = "Be brief." }, new { role = "user", content = "Say hello" } },
            max_tokens = 50,
            temperature = 0,
        });

        var choice = Assert.Single(response.GetProperty("choices").EnumerateArray());
        Assert.Equal(expected.Text, choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(expected.FinishReason, choice.GetProperty("finish_reason").GetString());
        Assert.Equal((prompt.Length, expected.CompletionTokens),
            (response.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), response.GetProperty("usage").GetProperty("completion_tokens").GetInt32()));
    }

    [Fact]
    public async Task ChatCompletionsStreamed_ChunksConcatenateToTheNotStreamedText_UsageLast()
    {
        var body = new Dictionary<string, object>
        {
            ["model"] = Tiny,
            ["messages"] = new[] { new { role = "user", content = "Tell me about the world" } },
            ["max_tokens"] = 60,
            ["temperature"] = 0,
        };
        var whole = await PostOkAsync("/v1/chat/completions", body);

        var data = await StreamAsync("/v1/chat/completions", new Dictionary<string, object>(body) { ["stream"] = true, ["stream_options"] = new { include_usage = true } });

        Assert.Equal("[DONE]", data[^1]);
        var chunks = data[..^1].Select(d => JsonDocument.Parse(d).RootElement).ToList();
        Assert.Equal(whole.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), string.Concat(chunks.Select(c => TextOf(c, "delta"))));
        var usageChunk = chunks[^1];
        Assert.Equal(0, usageChunk.GetProperty("choices").GetArrayLength());
        Assert.Equal(whole.GetProperty("usage").GetRawText(), usageChunk.GetProperty("usage").GetRawText());
    }

    [Fact]
    public async Task Usage_EqualsTheLedgerRecord_PromptAndCompletionPricedApart()
    {
        var user = "chat-usage-" + Guid.NewGuid().ToString("N");

        var response = await PostOkAsync("/v1/chat/completions", new { model = Tiny, messages = new[] { new { role = "user", content = "Count the tokens" } }, max_tokens = 20, temperature = 0, user });

        var usage = response.GetProperty("usage");
        var (prompt, completion) = (usage.GetProperty("prompt_tokens").GetInt64(), usage.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(prompt + completion, usage.GetProperty("total_tokens").GetInt64());
        var record = await UsageLedger.RecordOfAsync(Client, user);
        Assert.Equal((200, prompt, completion), (record.Status, record.InputTokens, record.OutputTokens));
        Assert.Equal(TextGenerationServerFixture.PricePer1000Input * prompt / 1000m + TextGenerationServerFixture.PricePer1000Output * completion / 1000m, record.Cost);
    }

    [Fact]
    public async Task Metrics_AnsweredCallsTokens_CountedByModelAndType()
    {
        await PostOkAsync("/v1/completions", new { model = Tiny, prompt = "Count me", max_tokens = 5, temperature = 0 });

        var text = await MeteredApi.GetTextAsync(Client, "/metrics", MeteredApi.AdminKey);

        Assert.Matches(new System.Text.RegularExpressions.Regex("serverless_tokens_total\\{[^}]*model=\"tiny-chat\"[^}]*type=\"prompt\"[^}]*\\} [1-9]"), text);
        Assert.Matches(new System.Text.RegularExpressions.Regex("serverless_tokens_total\\{[^}]*model=\"tiny-chat\"[^}]*type=\"completion\"[^}]*\\} [1-9]"), text);
    }

    [Fact]
    public async Task StreamedUsage_EqualsTheLedgerRecord()
    {
        var user = "stream-usage-" + Guid.NewGuid().ToString("N");

        var data = await StreamAsync("/v1/completions", new { model = Tiny, prompt = "Stream and bill", max_tokens = 25, temperature = 0.8, seed = 3, stream = true, stream_options = new { include_usage = true }, user });

        var usage = JsonDocument.Parse(data[^2]).RootElement.GetProperty("usage");
        var record = await UsageLedger.RecordOfAsync(Client, user);
        Assert.Equal((usage.GetProperty("prompt_tokens").GetInt64(), usage.GetProperty("completion_tokens").GetInt64()), (record.InputTokens, record.OutputTokens));
        Assert.Equal(200, record.Status);
    }

    [Fact]
    public async Task ContextOverflow_400EnvelopeNamingThePromptAndMaxTokens()
    {
        const string prompt = "Hello world";
        var promptTokens = Reference.Tokens(prompt).Length;
        var contextLength = DecoderDimensions.Tiny.ContextLength;

        var (status, body) = await TextHttp.SendJsonAsync(Client, TextHttp.Post("/v1/completions", Json(new { model = Tiny, prompt, max_tokens = contextLength }), server.Key));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = body.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains($"{promptTokens} tokens", message);
        Assert.Contains($"'max_tokens' is {contextLength}", message);
        Assert.Contains($"context length of {contextLength}", message);
    }

    [Fact]
    public async Task ConcurrencyLimit_NextCallRefusedAtOnceWith429AndRetryAfter()
    {
        var held = new List<(HttpResponseMessage Response, ServerSentEvents Events)>();
        try
        {
            for (var i = 0; i < TextGenerationServerFixture.MaxConcurrentPerModel; i++)
            {
                var stream = await OpenStreamAsync("/v1/chat/completions", new
                {
                    model = TextGenerationServerFixture.HeldModel,
                    messages = new[] { new { role = "user", content = "Keep going" } },
                    max_tokens = TextGenerationServerFixture.SlowMaxTokens,
                    temperature = 0,
                    stream = true,
                });
                held.Add(stream);
                Assert.NotNull(await stream.Events.NextAsync());
            }

            using var refused = await Client.SendAsync(TextHttp.Post("/v1/chat/completions",
                Json(new { model = TextGenerationServerFixture.HeldModel, messages = new[] { new { role = "user", content = "me too" } }, max_tokens = 5 }), server.Key));

            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Contains(TextGenerationServerFixture.HeldModel, error.GetProperty("message").GetString());
        }
        finally
        {
            foreach (var (response, events) in held)
            {
                events.Dispose();
                response.Dispose();
            }
        }
    }

    [Fact]
    public async Task ClientDisconnectsMidStream_LoopStops_BilledFor499WithFewerTokensThanAskedFor()
    {
        var user = "disconnect-" + Guid.NewGuid().ToString("N");
        var (response, events) = await OpenStreamAsync("/v1/completions", new
        {
            model = TextGenerationServerFixture.SlowModel,
            prompt = "Once upon a time",
            max_tokens = TextGenerationServerFixture.SlowMaxTokens,
            temperature = 0,
            stream = true,
            user,
        });
        var first = await events.NextAsync();
        Assert.NotNull(first);

        events.Dispose();
        response.Dispose();

        var record = await UsageLedger.RecordOfAsync(Client, user);
        Assert.True(record.Status == 499, $"status {record.Status} after {record.OutputTokens} tokens");
        Assert.InRange(record.OutputTokens, 1, TextGenerationServerFixture.SlowMaxTokens - 1);
        Assert.True(record.InputTokens > 0);
    }

    [Fact]
    public async Task Seed_RepeatsASample_AndNTwoGivesTwoChoices()
    {
        var body = new { model = Tiny, prompt = "Pick at random", max_tokens = 30, temperature = 1.0, seed = 1234, n = 2 };

        var first = await PostOkAsync("/v1/completions", body);
        var second = await PostOkAsync("/v1/completions", body);

        string[] Texts(JsonElement r) => [.. r.GetProperty("choices").EnumerateArray().OrderBy(c => c.GetProperty("index").GetInt32()).Select(c => c.GetProperty("text").GetString()!)];
        Assert.Equal([0, 1], first.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("index").GetInt32()).Order());
        Assert.Equal(Texts(first), Texts(second));
        Assert.NotEqual(Texts(first)[0], Texts(first)[1]);
    }

    [Fact]
    public async Task TritonGenerate_TextOutputIsGenAisGreedyAnswer_AndTheStreamConcatenatesToIt()
    {
        const string prompt = "Triton asks";
        var expected = Expected(Reference.Tokens(prompt), 24);

        var whole = await PostOkAsync($"/v2/models/{Tiny}/generate", new { text_input = prompt, parameters = new { max_tokens = 24, temperature = 0 } });
        var data = await StreamAsync($"/v2/models/{Tiny}/generate_stream", new { text_input = prompt, parameters = new { max_tokens = 24, temperature = 0 } });

        Assert.Equal(expected.Text, whole.GetProperty("text_output").GetString());
        Assert.Equal((expected.CompletionTokens, expected.FinishReason), (whole.GetProperty("num_output_tokens").GetInt32(), whole.GetProperty("finish_reason").GetString()));
        Assert.DoesNotContain("[DONE]", data);
        Assert.Equal(expected.Text, string.Concat(data.Select(d => JsonDocument.Parse(d).RootElement.GetProperty("text_output").GetString())));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/config")]
    public async Task MetadataAndConfig_ShowKindGenerativeAndContextLength(string suffix)
    {
        var (status, body) = await TextHttp.SendJsonAsync(Client, TextHttp.Get($"/v2/models/{Tiny}{suffix}", server.Key));

        Assert.True(status == HttpStatusCode.OK, body.GetRawText());
        Assert.Contains("generative", TextHttp.FindAll(body, "kind").Select(TextHttp.Text));
        Assert.Contains(DecoderDimensions.Tiny.ContextLength.ToString(System.Globalization.CultureInfo.InvariantCulture), TextHttp.FindAll(body, "context_length").Select(TextHttp.Text));
    }

    [Fact]
    public async Task V2Infer_OnADecoder_400NamingTheGenerationRoutes()
    {
        var body = """{"inputs":[{"name":"input_ids","shape":[1,2],"datatype":"INT64","data":[1,2]}]}""";

        var (status, json) = await TextHttp.SendJsonAsync(Client, TextHttp.Post($"/v2/models/{Tiny}/infer", body, server.Key));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var message = json.GetProperty("error").GetString()!;
        Assert.Contains("/v1/chat/completions", message);
        Assert.Contains($"/v2/models/{Tiny}/generate", message);
    }
}
