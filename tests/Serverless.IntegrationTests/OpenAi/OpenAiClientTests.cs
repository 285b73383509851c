using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using OpenAI.Models;
using Serverless.Core.Text.Embeddings;
using Serverless.Core.Text.Generation;
using Serverless.Tests.Protocol.OpenAi;
using ChatFinishReason = OpenAI.Chat.ChatFinishReason;
using FinishReason = Serverless.Core.Text.Generation.FinishReason;

namespace Serverless.Tests.OpenAi;

/// <summary>
/// OpenAI's official .NET client and Microsoft.Extensions.AI's adapters over it, unchanged, against the running server
/// (at /v1 and at KServe's /openai/v1), with fake text services behind the routes.
/// </summary>
public sealed class OpenAiClientTests(OpenAiServerFixture server) : IClassFixture<OpenAiServerFixture>
{
    private OpenAIClientOptions Options(string prefix = "v1") => new()
    {
        Endpoint = new Uri(server.Host.Address, prefix),
        // An error must fail the test at once, not be retried.
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    };

    private static ApiKeyCredential Credential => new(OpenAiServerFixture.Key);

    [Theory]
    [InlineData("v1")]
    [InlineData("openai/v1")]
    public async Task EmbeddingClient_TwoTexts_VectorsOfTheModelInOrder(string prefix)
    {
        var fake = server.Embeddings.Current = new FakeTextEmbeddings { Dimensions = 5 };
        var client = new EmbeddingClient("minilm", Credential, Options(prefix));

        // The client asks for base64 by default and decodes it.
        OpenAIEmbeddingCollection embeddings = await client.GenerateEmbeddingsAsync(["a", "three"]);

        Assert.Equal(2, embeddings.Count);
        Assert.Equal(FakeTextEmbeddings.VectorOf(EmbeddingInput.OfText("a"), 5), embeddings[0].ToFloats().ToArray());
        Assert.Equal(FakeTextEmbeddings.VectorOf(EmbeddingInput.OfText("three"), 5), embeddings[1].ToFloats().ToArray());
        Assert.Equal(6, embeddings.Usage.InputTokenCount);
        Assert.Equal(6, embeddings.Usage.TotalTokenCount);
        Assert.Equal("minilm", embeddings.Model);
        Assert.Equal(["a", "three"], Assert.Single(fake.Calls).Request.Inputs.Select(i => i.Text));
    }

    [Fact]
    public async Task ExtensionsAiEmbeddingGenerator_Texts_SameVectorsAsTheModel()
    {
        server.Embeddings.Current = new FakeTextEmbeddings { Dimensions = 4 };
        using var generator = new EmbeddingClient("minilm:1", Credential, Options()).AsIEmbeddingGenerator();

        var embeddings = await generator.GenerateAsync(["hello", "hi"]);

        Assert.Equal(FakeTextEmbeddings.VectorOf(EmbeddingInput.OfText("hello"), 4), embeddings[0].Vector.ToArray());
        Assert.Equal(FakeTextEmbeddings.VectorOf(EmbeddingInput.OfText("hi"), 4), embeddings[1].Vector.ToArray());
        Assert.Equal(7, embeddings.Usage?.InputTokenCount);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("openai/v1")]
    public async Task ChatClient_NotStreamed_TheGeneratedTextFinishReasonAndUsage(string prefix)
    {
        var fake = server.Generation.Current = new FakeTextGeneration();
        var client = new ChatClient("tiny", Credential, Options(prefix));

#pragma warning disable OPENAI001 // Seed is marked for evaluation; the route honours it.
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0, Seed = 42, StopSequences = { "\n" } };
#pragma warning restore OPENAI001

        ChatCompletion completion = await client.CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Say hello")], options);

        Assert.Equal("Hello, world", Assert.Single(completion.Content).Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.StartsWith("chatcmpl-", completion.Id);
        Assert.Equal((3, 3, 6), (completion.Usage.InputTokenCount, completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount));
        var request = Assert.Single(fake.Calls).Request;
        Assert.Equal([("system", "Be brief."), ("user", "Say hello")], request.Inputs[0].Messages!.Select(m => (m.Role, m.Content)));
        Assert.Equal((12, 0.0, 42L, "\n"), (request.Options.MaxTokens, request.Options.Temperature!.Value, request.Options.Seed!.Value, Assert.Single(request.Options.Stop)));
    }

    [Fact]
    public async Task ChatClient_Streamed_UpdatesConcatenateToTheTextWithUsageLast()
    {
        server.Generation.Current = new FakeTextGeneration { Reason = FinishReason.Length };
        var client = new ChatClient("tiny", Credential, Options());

        var text = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Say hello")], new ChatCompletionOptions { MaxOutputTokenCount = 3 }))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
            if (update.FinishReason is { } reason)
            {
                finish = reason;
            }
            usage ??= update.Usage;
        }

        Assert.Equal("Hello, world", text.ToString());
        Assert.Equal(ChatFinishReason.Length, finish);
        Assert.NotNull(usage);
        Assert.Equal((3, 3), (usage.InputTokenCount, usage.OutputTokenCount));
    }

    [Fact]
    public async Task ExtensionsAiChatClient_NotStreamed_TheGeneratedText()
    {
        server.Generation.Current = new FakeTextGeneration();
        using var chat = new ChatClient("tiny", Credential, Options()).AsIChatClient();

        var response = await chat.GetResponseAsync("Say hello", new ChatOptions { MaxOutputTokens = 5 });

        Assert.Equal("Hello, world", response.Text);
        Assert.Equal(Microsoft.Extensions.AI.ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(6, response.Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task ExtensionsAiChatClient_Streamed_UpdatesConcatenateToTheText()
    {
        server.Generation.Current = new FakeTextGeneration { Pieces = ["a", "b", "c", "d"] };
        using var chat = new ChatClient("tiny", Credential, Options("openai/v1")).AsIChatClient();

        var text = new System.Text.StringBuilder();
        await foreach (var update in chat.GetStreamingResponseAsync("Say hello"))
        {
            text.Append(update.Text);
        }

        Assert.Equal("abcd", text.ToString());
    }

    [Fact]
    public async Task ModelClient_List_EveryModelByNameAndByVersion()
    {
        var client = new OpenAIModelClient(Credential, Options());

        OpenAIModelCollection models = await client.GetModelsAsync();

        Assert.Contains(models, m => m.Id == "iris-mlp" && m.OwnedBy == "serverless");
        Assert.Contains(models, m => m.Id.StartsWith("iris-mlp:", StringComparison.Ordinal));
        OpenAIModel one = await client.GetModelAsync("iris-mlp");
        Assert.Equal("iris-mlp", one.Id);
    }
}
