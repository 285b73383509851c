using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Embeddings;
using Serverless.Tests.Fixtures;

namespace Serverless.Tests.Text;

/// <summary>
/// The real all-MiniLM-L6-v2 behind /v1/embeddings on a running server: every vector a client gets equals the graph run
/// directly (1e-5), whatever client, encoding, batching or concurrency; usage equals the ledger's record; the v2 API
/// still runs the same graph on token ids.
/// </summary>
public sealed class MiniLmOverHttpTests(MiniLmServerFixture server) : IClassFixture<MiniLmServerFixture>
{
    private const float Tolerance = 1e-5f;
    private const string Model = SampleEmbeddingModel.Name;

    private HttpClient Client => server.Host.Client;

    private MiniLmReference Reference => server.Reference;

    private OpenAIClientOptions Options => new() { Endpoint = new Uri(server.Host.Address, "v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };

    private static string Json(object value) => JsonSerializer.Serialize(value);

    private async Task<JsonElement> EmbedAsync(object body)
    {
        var (status, json) = await TextHttp.SendJsonAsync(Client, TextHttp.Post("/v1/embeddings", Json(body), server.Key));
        Assert.True(status == HttpStatusCode.OK, json.GetRawText());
        return json;
    }

    private static float[] FloatsOf(JsonElement item) => [.. item.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle())];

    [Fact]
    public async Task OpenAiEmbeddingClient_Texts_VectorsOfTheGraphRunDirectly()
    {
        string[] texts = ["A man is eating food.", "The new movie is awesome"];
        var client = new EmbeddingClient(Model, new ApiKeyCredential(server.Key), Options);

        // The official client asks for base64 and decodes it itself.
        OpenAIEmbeddingCollection embeddings = await client.GenerateEmbeddingsAsync(texts);

        Assert.Equal(2, embeddings.Count);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.InRange(MiniLmReference.MaxDifference(embeddings[i].ToFloats().ToArray(), Reference.Vector(texts[i])), 0, Tolerance);
        }
        Assert.Equal(texts.Sum(t => Reference.Tokens(t).Count), embeddings.Usage.InputTokenCount);
    }

    [Fact]
    public async Task ExtensionsAiEmbeddingGenerator_Texts_VectorsOfTheGraphRunDirectly()
    {
        string[] texts = ["How do I reset my password?", "Password reset instructions"];
        using var generator = new EmbeddingClient(Model, new ApiKeyCredential(server.Key), Options).AsIEmbeddingGenerator();

        var embeddings = await generator.GenerateAsync(texts);

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.InRange(MiniLmReference.MaxDifference(embeddings[i].Vector.ToArray(), Reference.Vector(texts[i])), 0, Tolerance);
        }
        Assert.Equal(texts.Sum(t => Reference.Tokens(t).Count), embeddings.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task Base64Encoding_DecodesToTheFloatVector()
    {
        const string text = "Base64 carries the same little-endian floats.";
        var asFloats = await EmbedAsync(new { model = Model, input = text, encoding_format = "float" });
        var asBase64 = await EmbedAsync(new { model = Model, input = text, encoding_format = "base64" });

        var floats = FloatsOf(asFloats.GetProperty("data")[0]);
        var bytes = Convert.FromBase64String(asBase64.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        var decoded = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();

        Assert.Equal(floats, decoded);
        Assert.Equal(SampleEmbeddingModel.Dimensions, decoded.Length);
        Assert.InRange(MiniLmReference.MaxDifference(decoded, Reference.Vector(text)), 0, Tolerance);
    }

    [Fact]
    public async Task Usage_PromptTokensEqualTheLedgerRecordAndItsPrice()
    {
        string[] texts = ["Tokens are the unit of metering.", "[CLS] and [SEP] count too."];
        var user = "embed-usage-" + Guid.NewGuid().ToString("N");

        var response = await EmbedAsync(new { model = Model, input = texts, user });

        var usage = response.GetProperty("usage");
        var promptTokens = usage.GetProperty("prompt_tokens").GetInt64();
        Assert.Equal(texts.Sum(t => Reference.Tokens(t).Count), promptTokens);
        Assert.Equal(promptTokens, usage.GetProperty("total_tokens").GetInt64());
        var record = await UsageLedger.RecordOfAsync(Client, user);
        Assert.Equal((200, promptTokens, 0L), (record.Status, record.InputTokens, record.OutputTokens));
        Assert.Equal(3m * promptTokens / 1000m, record.Cost);
    }

    [Fact]
    public async Task OverTheTokenLimit_TruncatedToTheFirstTokensWithSepLast_AndBilledForWhatRan()
    {
        var text = string.Join(' ', Enumerable.Range(0, 200).Select(i => $"word{i}"));
        Assert.True(Reference.Tokens(text).Count > SampleEmbeddingModel.MaxTokens);

        var response = await EmbedAsync(new { model = Model, input = text, encoding_format = "float" });

        var truncated = Reference.TruncatedTokens(text);
        Assert.InRange(MiniLmReference.MaxDifference(FloatsOf(response.GetProperty("data")[0]), Reference.Vector(truncated)), 0, Tolerance);
        Assert.Equal(SampleEmbeddingModel.MaxTokens, response.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task OverTheCharacterLimit_400EnvelopeNamingTheSetting()
    {
        var text = new string('a', MiniLmServerFixture.MaxCharacters + 1);

        var (status, body) = await TextHttp.SendJsonAsync(Client, TextHttp.Post("/v1/embeddings", Json(new { model = Model, input = text }), server.Key));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = body.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains("Embeddings:MaxCharactersPerInput", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task SameText_SameVectorAloneInAListAndAcrossConcurrentCalls()
    {
        const string text = "The same text always gives the same vector.";
        string[] others = ["short", "a somewhat longer sentence that pads the batch well beyond the first", "third"];

        var alone = FloatsOf((await EmbedAsync(new { model = Model, input = text, encoding_format = "float" })).GetProperty("data")[0]);
        var listed = (await EmbedAsync(new { model = Model, input = (string[])[others[0], text, others[1]], encoding_format = "float" })).GetProperty("data");
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            var input = i % 2 == 0 ? text : others[i % others.Length];
            var data = (await EmbedAsync(new { model = Model, input, encoding_format = "float" })).GetProperty("data");
            return (input, vector: FloatsOf(data[0]));
        }));

        var reference = Reference.Vector(text);
        Assert.InRange(MiniLmReference.MaxDifference(alone, reference), 0, Tolerance);
        Assert.Equal(1, listed[1].GetProperty("index").GetInt32());
        Assert.InRange(MiniLmReference.MaxDifference(FloatsOf(listed[1]), alone), 0, Tolerance);
        Assert.All(concurrent, c => Assert.InRange(MiniLmReference.MaxDifference(c.vector, Reference.Vector(c.input)), 0, Tolerance));
    }

    [Fact]
    public async Task Paraphrases_CloserThanUnrelatedSentences()
    {
        var data = (await EmbedAsync(new { model = Model, input = (string[])["A man is playing a guitar.", "Someone plays the guitar.", "The stock market fell sharply today."], encoding_format = "float" })).GetProperty("data");

        var (a, b, c) = (FloatsOf(data[0]), FloatsOf(data[1]), FloatsOf(data[2]));

        Assert.True(MiniLmReference.Cosine(a, b) > MiniLmReference.Cosine(a, c) + 0.3, $"{MiniLmReference.Cosine(a, b)} vs {MiniLmReference.Cosine(a, c)}");
    }

    [Fact]
    public async Task V2Infer_TokenIdsAsInt64Tensors_TheGraphsHiddenStates()
    {
        var ids = Reference.Tokens("tensors still work");
        var n = ids.Count;
        var body = Json(new
        {
            inputs = new object[]
            {
                new { name = "input_ids", shape = new[] { 1, n }, datatype = "INT64", data = ids.Select(i => (long)i) },
                new { name = "attention_mask", shape = new[] { 1, n }, datatype = "INT64", data = Enumerable.Repeat(1L, n) },
                new { name = "token_type_ids", shape = new[] { 1, n }, datatype = "INT64", data = new long[n] },
            },
            outputs = new[] { new { name = "last_hidden_state" } },
        });

        var (status, response) = await TextHttp.SendJsonAsync(Client, TextHttp.Post($"/v2/models/{Model}/infer", body, server.Key));

        Assert.True(status == HttpStatusCode.OK, response.GetRawText());
        var output = Assert.Single(response.GetProperty("outputs").EnumerateArray());
        Assert.Equal([1, n, SampleEmbeddingModel.Dimensions], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        float[] states = [.. output.GetProperty("data").EnumerateArray().Select(v => v.GetSingle())];
        Assert.InRange(MiniLmReference.MaxDifference(states, Reference.States(ids)), 0, Tolerance);
    }
}
