using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text.Json;
using Serverless.Core.Metering;

namespace Serverless.Core.Infrastructure.Metering;

/// <summary>
/// One group commit in the usage journal: a 12-byte header (magic, payload length, CRC-32 of the payload), then the
/// group's records packed as in Table storage (<see cref="UsageRecordJson"/>).
/// </summary>
/// <remarks>
/// The frame goes to the file in one write(): a process killed mid-write leaves at most the last frame torn, and
/// its length or checksum no longer matches, so it is dropped on reading. Its call was never answered 2xx: the
/// ledger answers only once the write has returned.
/// </remarks>
internal static class UsageJournalFrame
{
    public const int HeaderBytes = 12;
    // "UJF1" little-endian: a frame boundary a reader can recognise, so a torn length is not taken for a frame.
    private const uint Magic = 0x31464A55;

    /// <summary>The frame of <paramref name="records"/>, ready for one write.</summary>
    public static ArrayBufferWriter<byte> Encode(IReadOnlyList<UsageRecord> records)
    {
        var buffer = new ArrayBufferWriter<byte>(HeaderBytes + records.Count * 320);
        buffer.Advance(HeaderBytes);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            foreach (var record in records)
            {
                JsonSerializer.Serialize(writer, record, UsageRecordJson.Default.UsageRecord);
                writer.Flush();
                writer.Reset();
            }
        }
        // The header is filled in once the payload's length is known (in the buffer's current array: it may have grown).
        var frame = MemoryMarshal.AsMemory(buffer.WrittenMemory);
        var payload = frame[HeaderBytes..];
        BinaryPrimitives.WriteUInt32LittleEndian(frame.Span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(frame.Span[4..], payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.Span[8..], Crc32.HashToUInt32(payload.Span));
        return buffer;
    }

    /// <summary>
    /// Reads whole frames from the start of <paramref name="data"/>; stops at the first that is incomplete or does
    /// not check out. <paramref name="validBytes"/> is where the good frames end.
    /// </summary>
    public static List<UsageRecord> Decode(ReadOnlySpan<byte> data, out long validBytes)
    {
        var records = new List<UsageRecord>();
        var offset = 0;
        while (data.Length - offset >= HeaderBytes)
        {
            var header = data[offset..];
            var length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic || length < 0 || length > data.Length - offset - HeaderBytes)
            {
                break;
            }
            var payload = data.Slice(offset + HeaderBytes, length);
            if (Crc32.HashToUInt32(payload) != BinaryPrimitives.ReadUInt32LittleEndian(header[8..]))
            {
                break;
            }
            records.AddRange(UsageRecordJson.Read(payload));
            offset += HeaderBytes + length;
        }
        validBytes = offset;
        return records;
    }
}
