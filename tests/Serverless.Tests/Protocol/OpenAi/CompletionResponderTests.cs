using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Serverless.Core.Errors;
using Serverless.Core.Text.Generation;
using Serverless.Functions.Protocol.OpenAi;

namespace Serverless.Tests.Protocol.OpenAi;

/// <summary>A call answered whole and as Server-Sent Events, over a scripted generator, on an in-memory HttpContext.</summary>
public sealed class CompletionResponderTests
{
    private readonly CompletionResponder _responder = new(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1700000000)), NullLogger<CompletionResponder>.Instance);

    private static GenerationCall Call(int inputs = 1, int n = 1, bool stream = false, bool includeUsage = false) => new(
        new GenerationRequest("tiny", [.. Enumerable.Range(0, inputs).Select(i => GenerationInput.OfPrompt($"p{i}"))], new GenerationOptions { MaxTokens = 8 }, n),
        stream, includeUsage);

    private async Task<(DefaultHttpContext Context, string Body)> AnswerAsync(CompletionKind kind, GenerationCall call, ITextGeneration generation, CancellationToken aborted = default)
    {
        var context = new DefaultHttpContext { RequestAborted = aborted };
        var body = new MemoryStream();
        context.Response.Body = body;
        await _responder.AnswerAsync(context, kind, call, generation);
        return (context, Encoding.UTF8.GetString(body.ToArray()));
    }

    /// <summary>The JSON of each <c>data:</c> event, after checking the framing of every one; the last must be [DONE].</summary>
    private static List<JsonElement> Events(string body)
    {
        Assert.EndsWith("data: [DONE]\n\n", body);
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e));
        return [.. events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement)];
    }

    [Fact]
    public async Task Answer_ChatWhole_ConcatenatedTextPerChoiceAndUsage()
    {
        var fake = new FakeTextGeneration();

        var (context, body) = await AnswerAsync(CompletionKind.Chat, Call(n: 2), fake);

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.StartsWith("application/json", context.Response.ContentType);
        Assert.StartsWith("chatcmpl-", root.GetProperty("id").GetString());
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.Equal(1700000000, root.GetProperty("created").GetInt64());
        Assert.Equal(["Hello, world", "Hello, world"], root.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("message").GetProperty("content").GetString()));
        Assert.Equal([0, 1], root.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("index").GetInt32()));
        Assert.Equal("""{"prompt_tokens":6,"completion_tokens":6,"total_tokens":12}""", root.GetProperty("usage").GetRawText());
        Assert.True(fake.Disposed.Task.IsCompleted);
    }

    [Fact]
    public async Task Answer_ChatStreamed_RoleThenDeltasThenFinishThenUsageThenDone()
    {
        var (context, body) = await AnswerAsync(CompletionKind.Chat, Call(stream: true, includeUsage: true), new FakeTextGeneration { Reason = FinishReason.Length });

        var events = Events(body);
        Assert.Equal("text/event-stream; charset=utf-8", context.Response.ContentType);
        Assert.Equal(6, events.Count);
        Assert.Equal("""{"role":"assistant","content":""}""", events[0].GetProperty("choices")[0].GetProperty("delta").GetRawText());
        Assert.Equal(["Hello", ",", " world"], events[1..4].Select(e => e.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString()));
        Assert.Equal("length", events[4].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.All(events[..5], e => Assert.Equal(JsonValueKind.Null, e.GetProperty("usage").ValueKind));
        Assert.All(events, e => Assert.Equal("chat.completion.chunk", e.GetProperty("object").GetString()));
        Assert.Single(events.Select(e => e.GetProperty("id").GetString()).Distinct());
        Assert.Equal(0, events[5].GetProperty("choices").GetArrayLength());
        Assert.Equal("""{"prompt_tokens":3,"completion_tokens":3,"total_tokens":6}""", events[5].GetProperty("usage").GetRawText());
    }

    [Fact]
    public async Task Answer_TextStreamedTwoPrompts_TextChunksPerChoiceWithoutUsage()
    {
        var (_, body) = await AnswerAsync(CompletionKind.Text, Call(inputs: 2, stream: true), new FakeTextGeneration { Pieces = ["a"] });

        var events = Events(body);
        Assert.Equal([(0, "a", null), (0, "", "stop"), (1, "a", null), (1, "", "stop")],
            events.Select(e => e.GetProperty("choices")[0] is var c ? (c.GetProperty("index").GetInt32(), c.GetProperty("text").GetString(), c.GetProperty("finish_reason").GetString()) : default));
        Assert.All(events, e => Assert.False(e.TryGetProperty("usage", out _)));
        Assert.All(events, e => Assert.Equal("text_completion", e.GetProperty("object").GetString()));
    }

    [Fact]
    public async Task Answer_FailureMidStream_ErrorEventInOpenAisEnvelopeThenDone()
    {
        var fake = new FakeTextGeneration { FailMidStreamWith = new ModelRunException("the decoder failed") };

        var (context, body) = await AnswerAsync(CompletionKind.Chat, Call(stream: true), fake);

        var events = Events(body);
        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("""{"error":{"message":"the decoder failed","type":"server_error","param":null,"code":null}}""", events[^1].GetRawText());
        Assert.True(fake.Disposed.Task.IsCompleted);
    }

    [Fact]
    public async Task Answer_RefusedAtStart_ThrowsBeforeWritingAnything()
    {
        var fake = new FakeTextGeneration { RefuseWith = new ModelNotFoundException("no tiny") };

        await Assert.ThrowsAsync<ModelNotFoundException>(() => AnswerAsync(CompletionKind.Chat, Call(stream: true), fake));
    }

    [Fact]
    public async Task Answer_ClientGoneMidStream_CancelsTheGeneratorAndDisposesTheStream()
    {
        var fake = new FakeTextGeneration { HangAfterFirstPiece = true };
        using var aborted = new CancellationTokenSource();
        var answering = AnswerAsync(CompletionKind.Chat, Call(stream: true), fake, aborted.Token);
        await fake.FirstPieceSent.Task;

        await aborted.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => answering);
        Assert.True(fake.Cancelled.Task.IsCompleted);
        Assert.True(fake.Disposed.Task.IsCompleted);
    }
}
