using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Serverless.Core.Text.Embeddings;

namespace Serverless.Functions.Protocol.OpenAi;

/// <summary>
/// OpenAI's embeddings response, field for field: <c>{"object": "list", "data": [{"object": "embedding", "index",
/// "embedding"}], "model", "usage": {"prompt_tokens", "total_tokens"}}</c>. A base64 embedding is the vector's
/// little-endian float32 bytes, what OpenAI's SDKs decode (and what they ask for by default).
/// </summary>
public static class EmbeddingsResponseWriter
{
    public static void Write(IBufferWriter<byte> output, string model, EmbeddingResult result, bool base64)
    {
        using var json = new Utf8JsonWriter(output, OpenAiJson.WriterOptions);
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        for (var i = 0; i < result.Vectors.Count; i++)
        {
            json.WriteStartObject();
            json.WriteString("object", "embedding");
            json.WriteNumber("index", i);
            if (base64)
            {
                json.WriteBase64String("embedding", LittleEndianBytes(result.Vectors[i]));
            }
            else
            {
                json.WriteStartArray("embedding");
                foreach (var value in result.Vectors[i])
                {
                    json.WriteNumberValue(value);
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteString("model", model);
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", result.Usage.PromptTokens);
        json.WriteNumber("total_tokens", result.Usage.PromptTokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static ReadOnlySpan<byte> LittleEndianBytes(float[] vector)
    {
        if (BitConverter.IsLittleEndian)
        {
            return MemoryMarshal.AsBytes(vector.AsSpan());
        }
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }
        return bytes;
    }
}
