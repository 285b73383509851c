using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using Serverless.Tests.Core.Text.Generation;

namespace Serverless.Tests.Text;

/// <summary>
/// OpenAI's official .NET ChatClient and Microsoft.Extensions.AI's IChatClient over it, unchanged, against the real
/// tiny decoder: greedy answers equal GenAI's own loop on the chat template's tokens, streamed or not.
/// </summary>
[Collection(TextGenerationServerFixture.Collection)]
public sealed class TinyDecoderOpenAiClientTests(TextGenerationServerFixture server)
{
    private const int MaxTokens = 40;

    private ChatClient Chat(string prefix = "v1") => new(TextGenerationServerFixture.Tiny, new ApiKeyCredential(server.Key),
        new OpenAIClientOptions { Endpoint = new Uri(server.Host.Address, prefix), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) });

    private GreedyAnswer Expected(params (string Role, string Content)[] messages) =>
        server.Reference.Answer(server.Reference.Tokens(GenAiGreedyReference.ChatMl(messages)), MaxTokens);

    private static OpenAI.Chat.ChatFinishReason FinishOf(GreedyAnswer answer) =>
        answer.FinishReason == "stop" ? OpenAI.Chat.ChatFinishReason.Stop : OpenAI.Chat.ChatFinishReason.Length;

    [Theory]
    [InlineData("v1")]
    [InlineData("openai/v1")]
    public async Task ChatClient_NotStreamed_GenAisGreedyAnswerAndUsage(string prefix)
    {
        var expected = Expected(("system", "Be brief."), ("user", "Say hello"));
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = MaxTokens };

        ChatCompletion completion = await Chat(prefix).CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Say hello")], options);

        Assert.Equal(expected.Text, completion.Content.Count == 0 ? "" : Assert.Single(completion.Content).Text);
        Assert.Equal(FinishOf(expected), completion.FinishReason);
        Assert.Equal(expected.CompletionTokens, completion.Usage.OutputTokenCount);
        Assert.Equal(server.Reference.Tokens(GenAiGreedyReference.ChatMl(("system", "Be brief."), ("user", "Say hello"))).Length, completion.Usage.InputTokenCount);
    }

    [Fact]
    public async Task ChatClient_Streamed_UpdatesConcatenateToGenAisGreedyAnswer()
    {
        var expected = Expected(("user", "Tell me a story"));
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = MaxTokens };

        var text = new StringBuilder();
        OpenAI.Chat.ChatFinishReason? finish = null;
        await foreach (var update in Chat().CompleteChatStreamingAsync([new UserChatMessage("Tell me a story")], options))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
            finish ??= update.FinishReason;
        }

        Assert.Equal(expected.Text, text.ToString());
        Assert.Equal(FinishOf(expected), finish);
    }

    [Fact]
    public async Task ExtensionsAiChatClient_NotStreamed_GenAisGreedyAnswer()
    {
        var expected = Expected(("user", "What is a server?"));
        using var chat = Chat().AsIChatClient();

        var response = await chat.GetResponseAsync("What is a server?", new ChatOptions { Temperature = 0, MaxOutputTokens = MaxTokens });

        Assert.Equal(expected.Text, response.Text);
        Assert.Equal(expected.CompletionTokens, response.Usage?.OutputTokenCount);
    }

    [Fact]
    public async Task ExtensionsAiChatClient_Streamed_UpdatesConcatenateToGenAisGreedyAnswer()
    {
        var expected = Expected(("user", "Hello there"));
        using var chat = Chat("openai/v1").AsIChatClient();

        var text = new StringBuilder();
        await foreach (var update in chat.GetStreamingResponseAsync("Hello there", new ChatOptions { Temperature = 0, MaxOutputTokens = MaxTokens }))
        {
            text.Append(update.Text);
        }

        Assert.Equal(expected.Text, text.ToString());
    }
}
