using System.Buffers;
using System.Text;
using Serverless.Core.Repository;
using Serverless.Core.Text;
using Serverless.Core.Text.Embeddings;
using Serverless.Core.Text.Generation;
using Serverless.Functions.Protocol.OpenAi;

namespace Serverless.Tests.Protocol.OpenAi;

/// <summary>The exact bytes of OpenAI's shapes, so a field renamed or a null dropped fails here rather than in a client.</summary>
public sealed class OpenAiResponseWritersTests
{
    private static readonly CompletionHeader Chat = new(CompletionKind.Chat, "chatcmpl-1", 1700000000, "tiny");
    private static readonly CompletionHeader Text = new(CompletionKind.Text, "cmpl-1", 1700000000, "tiny:2");

    private static string Written(Action<ArrayBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Embeddings_Float_OpenAisShape()
    {
        var result = new EmbeddingResult(new ModelKey("minilm", 1), [[0.5f, -1f], [0.25f, 2f]], new TokenUsage(7, 0));

        var json = Written(b => EmbeddingsResponseWriter.Write(b, "minilm", result, base64: false));

        Assert.Equal("""{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,-1]},{"object":"embedding","index":1,"embedding":[0.25,2]}],"model":"minilm","usage":{"prompt_tokens":7,"total_tokens":7}}""", json);
    }

    [Fact]
    public void Embeddings_Base64_LittleEndianFloat32Bytes()
    {
        float[] vector = [0.1f, -3.5f, 1e-7f];
        var result = new EmbeddingResult(new ModelKey("minilm", 1), [vector], new TokenUsage(2, 0));

        using var json = System.Text.Json.JsonDocument.Parse(Written(b => EmbeddingsResponseWriter.Write(b, "minilm", result, base64: true)));

        var bytes = Convert.FromBase64String(json.RootElement.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        Assert.Equal(vector, Enumerable.Range(0, 3).Select(i => System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4))));
    }

    [Fact]
    public void ChatCompletion_Whole_OpenAisShape()
    {
        var json = Written(b => CompletionResponseWriter.Write(b, Chat, [new("Hi \"you\" <3", FinishReason.Stop), new("", FinishReason.Length)], new TokenUsage(5, 4)));

        Assert.Equal("""{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"tiny","choices":[{"index":0,"message":{"role":"assistant","content":"Hi \"you\" <3"},"logprobs":null,"finish_reason":"stop"},{"index":1,"message":{"role":"assistant","content":""},"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}""", json);
    }

    [Fact]
    public void TextCompletion_Whole_OpenAisShape()
    {
        var json = Written(b => CompletionResponseWriter.Write(b, Text, [new("upon", FinishReason.Length)], new TokenUsage(1, 16)));

        Assert.Equal("""{"id":"cmpl-1","object":"text_completion","created":1700000000,"model":"tiny:2","choices":[{"index":0,"text":"upon","logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":1,"completion_tokens":16,"total_tokens":17}}""", json);
    }

    [Fact]
    public void ChatChunks_WithUsage_OpeningTextFinishAndUsageChunks()
    {
        var chunks = new CompletionChunkWriter(Chat, includeUsage: true);
        string Chunk(Action<System.Text.Json.Utf8JsonWriter> write) => Written(b =>
        {
            using var json = new System.Text.Json.Utf8JsonWriter(b);
            write(json);
        });

        Assert.Equal("""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"tiny","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}""", Chunk(j => chunks.WriteOpening(j, 0)));
        Assert.Equal("""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"tiny","choices":[{"index":1,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],"usage":null}""", Chunk(j => chunks.WriteText(j, 1, "Hi")));
        Assert.Equal("""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"tiny","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}],"usage":null}""", Chunk(j => chunks.WriteFinish(j, 0, FinishReason.Length)));
        Assert.Equal("""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"tiny","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""", Chunk(j => chunks.WriteUsage(j, new TokenUsage(3, 2))));
    }

    [Fact]
    public void TextChunks_WithoutUsage_TextPiecesAndNoUsageField()
    {
        var chunks = new CompletionChunkWriter(Text, includeUsage: false);
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            chunks.WriteFinish(json, 0, FinishReason.Stop);
        }

        Assert.Equal("""{"id":"cmpl-1","object":"text_completion","created":1700000000,"model":"tiny:2","choices":[{"index":0,"text":"","logprobs":null,"finish_reason":"stop"}]}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
