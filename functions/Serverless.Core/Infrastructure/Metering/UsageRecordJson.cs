using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.Core.Metering;

namespace Serverless.Core.Infrastructure.Metering;

/// <summary>
/// How usage records are packed into a Table storage entity: one JSON object per record, one after the other
/// (source-generated, so packing a group costs microseconds, not the Table SDK's per-entity request building).
/// The usage journal's frames hold the same JSON.
/// </summary>
/// <remarks>
/// The format's versioning is by field: a field added to <see cref="UsageRecord"/> is optional (a record that lacks
/// it, written before, reads its default: <c>input_tokens</c> and <c>output_tokens</c> read 0, and are left out while
/// 0) and fields are never renamed, so journals and packed entities written by earlier versions still read; a field
/// this version does not know is skipped, so an earlier version reads what this one wrote.
/// </remarks>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(UsageRecord))]
internal sealed partial class UsageRecordJson : JsonSerializerContext
{
    /// <summary>
    /// Packs records in order into chunks of at most <paramref name="maxChunkBytes"/> (a record bigger than that gets a
    /// chunk of its own), each with the records it holds. The chunks are slices of one buffer, not copies.
    /// </summary>
    public static List<(ReadOnlyMemory<byte> Json, List<UsageRecord> Records)> Write(IEnumerable<UsageRecord> records, int maxChunkBytes)
    {
        var bounds = new List<(int Start, int End, List<UsageRecord> Records)>();
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var current = new List<UsageRecord>();
        var chunkStart = 0;
        using (var writer = new Utf8JsonWriter(buffer))
        {
            foreach (var record in records)
            {
                var recordStart = buffer.WrittenCount;
                JsonSerializer.Serialize(writer, record, Default.UsageRecord);
                // A new top-level value per record; the reader takes them in turn.
                writer.Flush();
                writer.Reset();
                if (buffer.WrittenCount - chunkStart > maxChunkBytes && current.Count > 0)
                {
                    bounds.Add((chunkStart, recordStart, current));
                    current = [];
                    chunkStart = recordStart;
                }
                current.Add(record);
            }
        }
        if (current.Count > 0)
        {
            bounds.Add((chunkStart, buffer.WrittenCount, current));
        }
        // Sliced once everything is written: the buffer may have moved to a larger array while it grew.
        var written = buffer.WrittenMemory;
        return bounds.Select(b => (written[b.Start..b.End], b.Records)).ToList();
    }

    public static List<UsageRecord> Read(ReadOnlySpan<byte> packed)
    {
        var records = new List<UsageRecord>();
        var reader = new Utf8JsonReader(packed, new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            records.Add(JsonSerializer.Deserialize(ref reader, Default.UsageRecord)
                ?? throw new JsonException("a packed usage record is null"));
        }
        return records;
    }
}
